from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select, tuple_

from crowdsketch.common.cursor import decode_cursor, encode_cursor
from crowdsketch.admin.deps import SessionDep
from crowdsketch.admin.time_range import CreatedRangeDep
from crowdsketch.admin.schemas import AuditEntryRead, AuditPage
from crowdsketch.db.models import AuditEntry

router = APIRouter(tags=["admin: audit"])


@router.get("/audit", response_model=AuditPage)
async def list_audit_entries(
    session: SessionDep,
    created: CreatedRangeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page")] = None,
    action: Annotated[str | None, Query(max_length=40, description="Only this action (`shape.create`)")] = None,
    actor: Annotated[str | None, Query(max_length=320, description="Only what admins whose email contains this did")] = None,
) -> AuditPage:
    """Newest first; the filters as the drawings list's (`createdFrom` inclusive, `createdTo` exclusive)."""
    statement = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if actor and actor.strip():
        pattern = "%" + actor.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(func.lower(AuditEntry.admin_email).like(pattern, escape="\\"))
    if created.start is not None:
        statement = statement.where(AuditEntry.created_at >= created.start)
    if created.end is not None:
        statement = statement.where(AuditEntry.created_at < created.end)
    if cursor:
        created_at, entry_id = decode_cursor(cursor, "cursor")
        statement = statement.where(tuple_(AuditEntry.created_at, AuditEntry.id) < tuple_(created_at, entry_id))
    rows = list((await session.execute(statement)).scalars())
    page, more = rows[:limit], len(rows) > limit
    return AuditPage(
        items=[AuditEntryRead.model_validate(row, from_attributes=True) for row in page],
        next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    )


