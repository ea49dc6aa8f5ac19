"""Label-issue scans: their rankings kept, and the latest one read back.

A scan is a job of kind `label_issues` (run by `training/scan.py`); it ranks every drawing
it scanned, most suspicious first, and its rows stay with the job. What an admin sees is
the latest completed scan.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import LabelIssue, TrainingJob
from crowdsketch.quality.schemas import LabelIssuePage, LabelIssueRead

SCAN_KIND = "label_issues"


@dataclass(frozen=True)
class RankedDrawing:
    drawing_id: uuid.UUID
    given_shape: str
    suggested_shape: str
    score: float
    flagged: bool


async def save_scan(session: AsyncSession, job_id: uuid.UUID, ranking: Sequence[RankedDrawing]) -> None:
    """The scan's ranking, in the order given (most suspicious first); a run of the same
    job again (its first worker lost it) replaces what the first left."""
    await session.execute(delete(LabelIssue).where(LabelIssue.job_id == job_id))
    if ranking:
        await session.execute(insert(LabelIssue), [
            {"job_id": job_id, "drawing_id": r.drawing_id, "rank": rank, "given_shape": r.given_shape,
             "suggested_shape": r.suggested_shape, "score": r.score, "flagged": r.flagged}
            for rank, r in enumerate(ranking)
        ])


async def latest_scan(session: AsyncSession) -> TrainingJob | None:
    statement = (
        select(TrainingJob)
        .where(TrainingJob.kind == SCAN_KIND, TrainingJob.status == "completed")
        .order_by(TrainingJob.finished_at.desc(), TrainingJob.id.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def label_issues(session: AsyncSession, limit: int) -> LabelIssuePage:
    """The latest scan's `limit` most suspicious drawings (those deleted since are gone)."""
    scan = await latest_scan(session)
    if scan is None:
        return LabelIssuePage(items=[], scanned_at=None, drawings=0)
    scanned = (await session.execute(
        select(func.count()).select_from(LabelIssue).where(LabelIssue.job_id == scan.id)
    )).scalar_one()
    rows = (await session.execute(
        select(LabelIssue).where(LabelIssue.job_id == scan.id).order_by(LabelIssue.rank).limit(limit)
    )).scalars()
    return LabelIssuePage(
        items=[
            LabelIssueRead(drawing_id=row.drawing_id, given_shape=row.given_shape, suggested_shape=row.suggested_shape,
                           score=row.score, flagged=row.flagged)
            for row in rows
        ],
        scanned_at=scan.finished_at,
        drawings=scanned,
    )
