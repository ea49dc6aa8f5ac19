"""A contributor's right to their drawings: a copy of them, and their withdrawal.

Withdrawal deletes everything the session gave: its drawings (rows and strokes; a drawing
made together with others goes too, since it holds the session's strokes), its
answers to others' drawings, the answers others gave about its drawings, its stats and its
trust, and its consent; its drawings also leave every dataset snapshot, which notes how many
and its new content hash. The strokes go first, then the rows in one transaction: a failure half-way leaves
rows whose strokes are gone, and asking again finishes the job (deleting a missing blob
succeeds), whereas the other order could leave strokes that nothing points at and that no
retry would find. Audited without the strokes and with the session id shortened.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.contributors import redacted
from crowdsketch.datasets.snapshots import take_out_of_snapshots
from crowdsketch.db.models import (
    ContributorSession,
    DatasetItem,
    ContributorTrust,
    Drawing,
    DrawingContributor,
    VerificationAssignment,
    VerificationTask,
    VerificationVote,
)
from crowdsketch.datasets.schemas import WithdrawalRead

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

BLOB_CONCURRENCY = 16
_UNCOUNT = (
    update(VerificationTask)
    .where(VerificationTask.id == bindparam("task"))
    .values(votes=VerificationTask.votes - bindparam("answers"))
)


async def withdraw(resources: Resources, session_id: str) -> WithdrawalRead:
    keys = await resources.db.run(lambda session: _blob_keys(session, session_id), write=False)
    limit = asyncio.Semaphore(BLOB_CONCURRENCY)

    async def remove(key: str) -> None:
        async with limit:
            await resources.blob_guard.call(lambda: resources.blobs.delete(key))

    await asyncio.gather(*(remove(key) for key in keys))
    return await resources.db.run(lambda session: _delete_rows(session, session_id))


def _drawn_by(session_id: str):  # type: ignore[no-untyped-def]
    """The session's drawings: its own, and those it drew together with others."""
    together = select(DrawingContributor.drawing_id).where(DrawingContributor.session_id == session_id)
    return or_(Drawing.session_id == session_id, Drawing.id.in_(together))


async def _blob_keys(session: AsyncSession, session_id: str) -> list[str]:
    """The session's drawings' strokes, and those snapshots kept after an admin deleted the row."""
    rows = select(Drawing.blob_key).where(_drawn_by(session_id))
    kept = select(DatasetItem.blob_key).where(DatasetItem.session_id == session_id)
    return sorted(set((await session.execute(rows)).scalars()) | set((await session.execute(kept)).scalars()))


async def _delete_rows(session: AsyncSession, session_id: str) -> WithdrawalRead:
    # Others' drawings this session answered about: their counts go down as the answers go.
    answered = (await session.execute(
        select(VerificationVote.task_id, func.count()).where(VerificationVote.session_id == session_id)
        .group_by(VerificationVote.task_id)
    )).all()
    connection = await session.connection()
    if answered:
        await connection.execute(_UNCOUNT, [{"task": task, "answers": n} for task, n in answered])
    votes = (await session.execute(delete(VerificationVote).where(VerificationVote.session_id == session_id))).rowcount
    await session.execute(delete(VerificationAssignment).where(VerificationAssignment.session_id == session_id))
    # Its drawings; their tasks, others' answers about them, scan rows and label history go
    # with them (ON DELETE CASCADE).
    drawings = (await session.execute(
        delete(Drawing).where(_drawn_by(session_id)).execution_options(synchronize_session=False)
    )).rowcount
    snapshots = await take_out_of_snapshots(session, session_id)
    await session.execute(delete(ContributorTrust).where(ContributorTrust.session_id == session_id))
    await session.execute(delete(ContributorSession).where(ContributorSession.id == session_id))
    await record(session, None, f"contributor {redacted(session_id)}", "contributor.withdraw", "session",
                 redacted(session_id), {"drawings": drawings, "votes": votes, "snapshots": snapshots})
    return WithdrawalRead(drawings=drawings, votes=votes, snapshots=snapshots)
