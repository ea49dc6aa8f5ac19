"""The first admin of a new stack, so that a newcomer can log in after `make run`."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import func, select

from crowdsketch.db.models import AdminUser
from crowdsketch.resources import Resources

logger = logging.getLogger("crowdsketch.bootstrap")

FIRST_ADMIN_EMAIL = "admin@localhost"


async def ensure_first_admin(resources: Resources) -> None:
    """Create `admin@localhost` when there is no admin at all: with CROWDSKETCH_ADMIN_PASSWORD,
    or a random password printed once, here and never again."""
    async with resources.db.request_session() as session:
        if (await session.execute(select(func.count()).select_from(AdminUser))).scalar_one():
            return
        password = resources.settings.admin_password or secrets.token_urlsafe(12)
        await resources.auth.create_admin(session, FIRST_ADMIN_EMAIL, "Administrator", password)
    if resources.settings.admin_password:
        logger.info("created the first admin %s with CROWDSKETCH_ADMIN_PASSWORD", FIRST_ADMIN_EMAIL)
    else:
        logger.warning(
            "created the first admin %s with password %s (shown once; change it with `crowdsketch set-password %s`)",
            FIRST_ADMIN_EMAIL, password, FIRST_ADMIN_EMAIL, extra={"adminEmail": FIRST_ADMIN_EMAIL, "password": password},
        )
