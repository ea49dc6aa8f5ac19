from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select, tuple_

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
    action: Annotated[str | None, Query(max_length=40, description="Only this action (`shape.create`)")] = None,
    actor: Annotated[str | None, Query(max_length=320, description="Only what this admin did (their email)")] = None,
    since: Annotated[datetime | None, Query(description="Only entries at or after this time (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Only entries before this time (ISO 8601)")] = None,
) -> AuditPage:
    """Newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if actor:
        statement = statement.where(func.lower(AuditEntry.admin_email) == actor.strip().lower())
    if since is not None:
        statement = statement.where(AuditEntry.created_at >= _utc(since))
    if until is not None:
        statement = statement.where(AuditEntry.created_at < _utc(until))
    if cursor:
        created_at, entry_id = decode_cursor(cursor, "cursor")
        statement = statement.where(tuple_(AuditEntry.created_at, AuditEntry.id) < tuple_(created_at, entry_id))
    rows = list((await session.execute(statement)).scalars())
    page, more = rows[:limit], len(rows) > limit
    return AuditPage(
        items=[AuditEntryRead.model_validate(row, from_attributes=True) for row in page],
        next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    )


def _utc(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC, as every time the API answers is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
