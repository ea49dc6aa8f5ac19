"""Peer verification: contributors answer "is this a star?" about each other's drawings.

A game drawing gets its task in the transaction that stores it (`add_task`). A session is
shown a task at most once per drawing, and never one of its own drawings: the showing is
recorded (`verification_assignments`, keyed by session and drawing) in the transaction that
picks it, so two requests of one session at once cannot both get the same drawing. Tasks
with the fewest answers come first, and among those the drawings the model agreed with
least. A vote is one row per (task, session): the same answer again is answered as the
first was; the task's count goes up in the transaction that inserts the vote and only when
it did, so retries and races neither lose nor double a vote.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from crowdsketch.common.schemas import ShapeRef
from crowdsketch.db.engine import Database
from crowdsketch.db.models import Drawing, Shape, VerificationAssignment, VerificationTask, VerificationVote
from crowdsketch.errors import ConflictError, ForbiddenError, NotFoundError
from crowdsketch.ports.blob import BlobNotFound, BlobStore
from crowdsketch.quality.schemas import Answer, VerificationTaskRead, VerificationVoteRead
from crowdsketch.resilience import DependencyGuard
from crowdsketch.strokes import StrokeData

logger = logging.getLogger(__name__)

# Tasks looked at per pick: enough to step past those another request of the same session
# took a moment earlier.
CANDIDATES = 8
# Priority of a drawing no model judged: between a doubtful drawing and a confident one.
UNKNOWN_AGREEMENT_PRIORITY = 0.5

_TASK_INSERT = VerificationTask.__table__.insert()


def _candidates() -> Any:
    task, drawing, shape, shown = VerificationTask, Drawing, Shape, VerificationAssignment
    me = bindparam("session_id")
    return (
        select(task.id, task.drawing_id, task.shape_id, shape.name, drawing.blob_key)
        .join(drawing, drawing.id == task.drawing_id)
        .join(shape, shape.id == task.shape_id)
        .where(
            task.votes < bindparam("votes_per_drawing"),
            or_(task.session_id.is_(None), task.session_id != me),
            drawing.shape_id == task.shape_id,  # a relabelled drawing's old question is moot
            drawing.flagged.is_(False),
            shape.active.is_(True),
            ~exists().where(shown.session_id == me, shown.drawing_id == task.drawing_id),
        )
        .order_by(task.votes, task.priority, task.created_at)
        .limit(CANDIDATES)
    )


def _assignment_insert(insert: Callable[..., Any]) -> Any:
    table = VerificationAssignment.__table__
    return insert(table).on_conflict_do_nothing(index_elements=[table.c.session_id, table.c.drawing_id]).returning(
        table.c.task_id
    )


def _vote_insert(insert: Callable[..., Any]) -> Any:
    table = VerificationVote.__table__
    return insert(table).on_conflict_do_nothing(index_elements=[table.c.task_id, table.c.session_id]).returning(
        table.c.id
    )


_CANDIDATES = _candidates()
_ASSIGNMENT_INSERT = {"sqlite": _assignment_insert(sqlite_insert), "postgresql": _assignment_insert(postgresql_insert)}
_VOTE_INSERT = {"sqlite": _vote_insert(sqlite_insert), "postgresql": _vote_insert(postgresql_insert)}
_COUNT_VOTE = (
    update(VerificationTask)
    .where(VerificationTask.id == bindparam("task_id"))
    .values(votes=VerificationTask.votes + 1)
)


@dataclass(frozen=True)
class _Picked:
    task_id: uuid.UUID
    drawing_id: uuid.UUID
    shape: ShapeRef
    blob_key: str


class VerificationService:
    def __init__(self, db: Database, blobs: BlobStore, blob_guard: DependencyGuard, *, votes_per_drawing: int) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard
        self._votes_per_drawing = votes_per_drawing

    @staticmethod
    async def add_task(connection: AsyncConnection, drawing: Mapping[str, Any]) -> None:
        """The task for a game drawing being stored, in the transaction that stores it."""
        agreement = drawing.get("model_agreement")
        await connection.execute(_TASK_INSERT, {
            "id": uuid.uuid4(),
            "drawing_id": drawing["id"],
            "shape_id": drawing["shape_id"],
            "session_id": drawing["session_id"],
            "priority": UNKNOWN_AGREEMENT_PRIORITY if agreement is None else agreement,
            "votes": 0,
            "created_at": drawing["created_at"],
        })

    async def next_task(self, session_id: str) -> VerificationTaskRead | None:
        """The next drawing for this session to verify, or None when none is waiting. A
        drawing whose strokes are missing is passed over (it stays recorded as shown)."""
        for _ in range(3):
            picked = await self._db.run(lambda session: self._pick(session, session_id))
            if picked is None:
                return None
            try:
                raw = await self._blob_guard.call(lambda: self._blobs.get(picked.blob_key))
            except BlobNotFound:
                logger.warning("verification task without strokes", extra={"drawingId": str(picked.drawing_id)})
                continue
            return VerificationTaskRead(
                id=picked.task_id,
                drawing_id=picked.drawing_id,
                shape=picked.shape,
                stroke_data=StrokeData.model_validate(orjson.loads(raw)),
            )
        return None

    async def _pick(self, session: AsyncSession, session_id: str) -> _Picked | None:
        connection = await session.connection()
        rows = await connection.execute(
            _CANDIDATES, {"session_id": session_id, "votes_per_drawing": self._votes_per_drawing}
        )
        assign = _ASSIGNMENT_INSERT[self._db.dialect]
        now = datetime.now(UTC)
        for task_id, drawing_id, shape_id, shape_name, blob_key in rows.all():
            claimed = await connection.execute(
                assign, {"session_id": session_id, "drawing_id": drawing_id, "task_id": task_id, "assigned_at": now}
            )
            if claimed.first() is not None:
                return _Picked(task_id, drawing_id, ShapeRef(id=shape_id, name=shape_name), blob_key)
        return None

    async def answer(self, session_id: str, task_id: uuid.UUID, answer: Answer) -> VerificationVoteRead:
        """Record this session's answer to a task; the same answer again is answered as the
        first was, another answer is refused (409)."""

        async def vote(session: AsyncSession) -> VerificationVoteRead:
            connection = await session.connection()
            task = (await connection.execute(
                select(VerificationTask.drawing_id, VerificationTask.session_id).where(VerificationTask.id == task_id)
            )).one_or_none()
            if task is None:
                raise NotFoundError(f"No verification task {task_id}.")
            drawing_id, author = task
            if author == session_id:
                raise ForbiddenError("A contributor does not verify their own drawing.")
            now = datetime.now(UTC)
            inserted = (await connection.execute(_VOTE_INSERT[self._db.dialect], {
                "id": uuid.uuid4(), "task_id": task_id, "session_id": session_id, "answer": answer, "created_at": now,
            })).first()
            if inserted is not None:
                await connection.execute(_COUNT_VOTE, {"task_id": task_id})
                return VerificationVoteRead(id=inserted[0], task_id=task_id, drawing_id=drawing_id, answer=answer,
                                            created_at=now)
            first = (await connection.execute(
                select(VerificationVote.id, VerificationVote.answer, VerificationVote.created_at)
                .where(VerificationVote.task_id == task_id, VerificationVote.session_id == session_id)
            )).one()
            if first.answer != answer:
                raise ConflictError(
                    f"This session already answered {first.answer!r} for this task.",
                    details=[{"field": "answer", "message": f"already answered {first.answer!r}"}],
                )
            return VerificationVoteRead(id=first.id, task_id=task_id, drawing_id=drawing_id, answer=first.answer,
                                        created_at=first.created_at)

        return await self._db.run(vote)
