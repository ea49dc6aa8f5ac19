"""The terms a contributor agrees to before their first drawing, and the record of it.

The terms name the operator's licence (`CROWDSKETCH_LICENCE`, CC BY 4.0 by default), what
is stored and how to withdraw; their version is `CROWDSKETCH_TERMS_VERSION`, and a new
version asks everyone again. A session's consent (version and time) is kept on its
contributor row; a drawing from a session without consent to the current version is refused
with 403 `CONSENT_REQUIRED`, unless the operator collects under other arrangements
(`CROWDSKETCH_CONSENT_REQUIRED=false`). Withdrawal deletes the row, and the consent with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.datasets.schemas import ConsentRead, TermsRead
from crowdsketch.db.models import ContributorSession
from crowdsketch.errors import ForbiddenError, ValidationError

if TYPE_CHECKING:
    from crowdsketch.resources import Resources
    from crowdsketch.settings import Settings

TERMS = """Your drawings are published under {licence}: anyone may use them, also to train \
their own models, as long as they credit the project.

What is stored: the strokes you draw, their timing, the shape you were asked for and the kind \
of device (mouse, pen or touch). No name, no e-mail, no address: the game knows you only by a \
random id kept in this browser.

How to withdraw: the game's "My drawings" menu downloads your drawings or deletes them all, \
from the collection and from every dataset made of it. A dataset already handed out cannot \
be called back."""


# The terms version a session agreed to (`session_id`); none when it never agreed.
CONSENTED_VERSION = select(ContributorSession.consent_version).where(ContributorSession.id == bindparam("session_id"))


class ConsentRequired(ForbiddenError):
    code = "CONSENT_REQUIRED"


def current_terms(settings: Settings) -> TermsRead:
    return TermsRead(version=settings.terms_version, licence=settings.licence, licence_url=settings.licence_url,
                     text=TERMS.format(licence=settings.licence), required=settings.consent_required)


async def record_consent(resources: Resources, session_id: str, terms_version: str) -> ConsentRead:
    current = resources.settings.terms_version
    if terms_version != current:
        raise ValidationError.for_field("termsVersion", f"the current terms are version {current!r}: read them again")
    now = datetime.now(UTC)
    insert = sqlite_insert if resources.db.dialect == "sqlite" else postgresql_insert
    statement = insert(ContributorSession).values(
        id=session_id, created_at=now, last_seen_at=now, drawing_count=0, today=now.date(), today_count=0,
        consent_version=current, consented_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ContributorSession.id],
        set_={"consent_version": statement.excluded.consent_version, "consented_at": statement.excluded.consented_at},
    )

    async def write(session: AsyncSession) -> None:
        await session.execute(statement)

    await resources.db.run(write)
    return ConsentRead(terms_version=current, consented_at=now)


async def require_consent(resources: Resources, session_id: str) -> None:
    """Raise 403 CONSENT_REQUIRED unless the session agreed to the current terms."""
    settings = resources.settings
    if not settings.consent_required:
        return

    async def agreed(session: AsyncSession) -> str | None:
        return (await session.execute(CONSENTED_VERSION, {"session_id": session_id})).scalar_one_or_none()

    if await resources.db.run(agreed, write=False) != settings.terms_version:
        raise consent_required(settings.terms_version)


def consent_required(terms_version: str) -> ConsentRequired:
    """The 403 for a session without consent to the current terms (`terms_version`)."""
    return ConsentRequired(
        f"agree to the terms first (version {terms_version}): read GET /api/terms, then "
        "POST /api/consent {termsVersion} with the same X-Session-Id",
        details=[{"field": "termsVersion", "message": "no consent to the current terms", "termsVersion": terms_version}],
    )
