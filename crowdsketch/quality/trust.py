"""The contributors an admin sees: every session that drew or voted, with its trust.

Trust, skill and confirmation come from the last aggregation (`consensus.py`); a session
it has not judged yet has none. Sorted by trust, least trusted first, a session without
trust comes last. Pages are by position (`cursor` carries the offset): trust is rewritten
by each aggregation, so no value of it is a stable place to resume from.
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.cursor import decode_cursor, encode_cursor
from crowdsketch.db.models import ContributorSession, ContributorTrust, VerificationVote
from crowdsketch.quality.schemas import ContributorPage, ContributorRead

ContributorSort = Literal["trust", "-trust", "drawings", "-drawings", "votes", "-votes"]
_NO_ID = uuid.UUID(int=0)


async def list_contributors(
    session: AsyncSession, sort: ContributorSort, limit: int, cursor: str | None
) -> ContributorPage:
    everyone = union(
        select(ContributorSession.id.label("session_id")), select(VerificationVote.session_id.label("session_id"))
    ).subquery()
    votes = (
        select(VerificationVote.session_id, func.count().label("votes"), func.max(VerificationVote.created_at).label("at"))
        .group_by(VerificationVote.session_id)
        .subquery()
    )
    drawings = func.coalesce(ContributorSession.drawing_count, 0)
    voted = func.coalesce(votes.c.votes, 0)
    statement = (
        select(everyone.c.session_id, drawings, voted, ContributorTrust.trust, ContributorTrust.skill,
               ContributorTrust.confirmation, ContributorSession.last_seen_at, votes.c.at)
        .select_from(everyone)
        .outerjoin(ContributorSession, ContributorSession.id == everyone.c.session_id)
        .outerjoin(votes, votes.c.session_id == everyone.c.session_id)
        .outerjoin(ContributorTrust, ContributorTrust.session_id == everyone.c.session_id)
    )
    key = {"trust": ContributorTrust.trust, "drawings": drawings, "votes": voted}[sort.lstrip("-")]
    order = key.desc() if sort.startswith("-") else key.asc()
    offset = int(decode_cursor(cursor, "cursor")[0]) if cursor else 0
    rows = (await session.execute(
        statement.order_by(order.nulls_last(), everyone.c.session_id).offset(offset).limit(limit + 1)
    )).all()
    more, rows = len(rows) > limit, rows[:limit]
    items = [
        ContributorRead(
            session_id=session_id, drawings=drawn, votes=answered, trust=trust, skill=skill, confirmation=confirmation,
            last_seen_at=max((t for t in (seen, voted_at) if t is not None), default=None),
        )
        for session_id, drawn, answered, trust, skill, confirmation, seen, voted_at in rows
    ]
    return ContributorPage(items=items, next_cursor=encode_cursor(offset + limit, _NO_ID) if more else None)


async def trust_of(session: AsyncSession, session_id: str | None) -> float | None:
    if session_id is None:
        return None
    return (await session.execute(
        select(ContributorTrust.trust).where(ContributorTrust.session_id == session_id)
    )).scalar_one_or_none()
