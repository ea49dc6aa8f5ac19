"""Rooms in the database: created, loaded when a process first serves one, saved as they
change, closed when idle; and the contributors of each drawing made together.

A saved document is merged with the one already stored (Yjs updates merge without loss),
under a row lock on PostgreSQL: if a room was ever held by two processes at once (nginx
moving it while a process restarts), neither erases the other's strokes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pycrdt import merge_updates
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.collection.writes import SESSION_UPSERT
from crowdsketch.db.engine import Database
from crowdsketch.db.models import DrawingContributor, TogetherRoom
from crowdsketch.together.room import Participant, RoomState


@dataclass(frozen=True)
class StoredRoom:
    state: RoomState
    document: bytes
    last_active_at: datetime
    closed: bool


def _participants(rows: Sequence[dict[str, str]]) -> list[Participant]:
    return [Participant(id=r["id"], session_id=r["session"], name=r["name"], color=r["color"]) for r in rows]


class RoomStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, state: RoomState) -> None:
        async def write(session: AsyncSession) -> None:
            session.add(TogetherRoom(id=state.id, created_by=state.created_by, round=state.round,
                                     prompt_shape_id=state.prompt["id"], participants=[], authors={}, state=b""))

        await self._db.run(write)

    async def load(self, room_id: str, prompt_name: dict[str, str]) -> StoredRoom | None:
        async def read(session: AsyncSession) -> TogetherRoom | None:
            return await session.get(TogetherRoom, room_id)

        row = await self._db.run(read, write=False)
        if row is None:
            return None
        prompt = {"id": row.prompt_shape_id, "name": prompt_name.get(row.prompt_shape_id, row.prompt_shape_id)}
        state = RoomState(id=row.id, created_by=row.created_by, round=row.round, prompt=prompt,
                          participants=_participants(row.participants), authors=dict(row.authors))
        return StoredRoom(state, row.state, row.last_active_at, row.closed_at is not None)

    async def save(self, state: RoomState, document: bytes, previous: bytes | None = None) -> None:
        """Write the room; `previous` is the document this process saved last: while the row
        still holds it, nobody else wrote the room, and the merge is skipped."""
        participants = [{"id": p.id, "session": p.session_id, "name": p.name, "color": p.color} for p in state.participants]

        async def write(session: AsyncSession) -> None:
            stored = (await session.execute(
                select(TogetherRoom.state, TogetherRoom.round).where(TogetherRoom.id == state.id).with_for_update()
            )).one_or_none()
            if stored is None:
                return
            merged = document
            # A later round's document replaces an earlier one's (the canvas was cleared);
            # within one round, what another process saved is kept as well.
            if stored.state and stored.round == state.round and stored.state != previous:
                merged = merge_updates(stored.state, document)
            await session.execute(update(TogetherRoom).where(TogetherRoom.id == state.id).values(
                state=merged, round=max(state.round, stored.round), prompt_shape_id=state.prompt["id"],
                participants=participants, authors=state.authors, last_active_at=datetime.now(UTC),
            ))

        await self._db.run(write)

    async def close(self, room_id: str) -> None:
        async def write(session: AsyncSession) -> None:
            await session.execute(update(TogetherRoom).where(TogetherRoom.id == room_id).values(closed_at=datetime.now(UTC)))

        await self._db.run(write)

    async def record_contributors(self, drawing_id: uuid.UUID, owner: str, contributors: Sequence[DrawingContributor]) -> None:
        """Who drew the drawing, once: a retried Submit adds nobody twice, and counts each
        contributor's drawing once (the owner's was counted when the drawing was stored)."""
        insert = sqlite_insert if self._db.dialect == "sqlite" else postgresql_insert
        upsert = SESSION_UPSERT[self._db.dialect]

        async def write(session: AsyncSession) -> None:
            connection = await session.connection()
            now = datetime.now(UTC)
            for contributor in contributors:
                added = await connection.execute(
                    insert(DrawingContributor).values(
                        drawing_id=drawing_id, session_id=contributor.session_id, name=contributor.name,
                        color=contributor.color, strokes=contributor.strokes,
                    ).on_conflict_do_nothing().returning(DrawingContributor.session_id)
                )
                if added.first() is not None and contributor.session_id != owner:
                    await connection.execute(upsert, {"session_id": contributor.session_id, "now": now,
                                                      "today": now.date(), "count": 1})

        await self._db.run(write)


async def contributors_of(session: AsyncSession, drawing_id: uuid.UUID) -> list[DrawingContributor]:
    """A drawing's contributors, in the order of their first stroke (none: drawn alone)."""
    rows = (await session.execute(
        select(DrawingContributor).where(DrawingContributor.drawing_id == drawing_id)
    )).scalars().all()
    return sorted(rows, key=lambda row: min(row.strokes, default=0))
