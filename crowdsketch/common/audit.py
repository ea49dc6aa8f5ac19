"""Who did what, and when: one row per admin action, written in the action's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import AuditEntry


async def record(
    session: AsyncSession,
    admin_id: uuid.UUID | None,
    admin_email: str,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            admin_id=admin_id,
            admin_email=admin_email,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
        )
    )
    await session.flush()
