from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select, tuple_

from crowdsketch.common.cursor import decode_cursor, encode_cursor
from crowdsketch.admin.deps import SessionDep
from crowdsketch.admin.schemas import AuditEntryRead, AuditPage
from crowdsketch.db.models import AuditEntry

router = APIRouter(tags=["admin: audit"])


@router.get("/audit", response_model=AuditPage)
async def list_audit_entries(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page")] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
) -> AuditPage:
    """Newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if cursor:
        created_at, entry_id = decode_cursor(cursor, "cursor")
        statement = statement.where(tuple_(AuditEntry.created_at, AuditEntry.id) < tuple_(created_at, entry_id))
    rows = list((await session.execute(statement)).scalars())
    page, more = rows[:limit], len(rows) > limit
    return AuditPage(
        items=[AuditEntryRead.model_validate(row, from_attributes=True) for row in page],
        next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    )
