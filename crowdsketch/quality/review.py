"""The review queue: the drawings whose label is most in doubt, and an admin's decision on each.

Four signals cast doubt on a label, each as a number in [0, 1]:
- the latest label-issue scan: 1 − the out-of-fold probability of the label (and cleanlab's
  flag, which puts a drawing in the queue whatever its number);
- the model that was active when it arrived: 1 − its agreement with the prompted shape;
- the crowd: 1 − the consensus that it is its shape;
- its contributor: 1 − their trust.
A drawing's doubt is the strongest of them; it waits for review while that is above an even
chance (or cleanlab flags it), it is not flagged already and no admin has decided on it.
Most doubtful first.

An admin accepts it (the label stands), flags it (out of training), or relabels it (its old
label kept in its history, and the crowd asked about the new one). Each decision is audited
and takes it out of the queue.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.cursor import decode_cursor, encode_cursor
from crowdsketch.common.identity import AdminSession
from crowdsketch.common.schemas import ShapeRef
from crowdsketch.db.models import (
    ContributorTrust,
    Drawing,
    LabelChange,
    LabelIssue,
    Shape,
    VerificationTask,
    VerificationVote,
)
from crowdsketch.errors import NotFoundError, ValidationError
from crowdsketch.quality.issues import latest_scan
from crowdsketch.quality.schemas import (
    LabelIssueReason,
    ReviewAction,
    ReviewItem,
    ReviewPage,
    ReviewReasons,
    ReviewResult,
    VoteTally,
)
from crowdsketch.quality.service import VerificationService

# Doubt above this (the label less likely right than wrong by some signal) puts a drawing
# in the queue.
DOUBT_THRESHOLD = 0.5


def _doubt(dialect: str, issue: Any, task: Any) -> ColumnElement[float]:
    signals = [
        func.coalesce(1.0 - issue.c.score, 0.0),
        func.coalesce(1.0 - Drawing.model_agreement, 0.0),
        func.coalesce(1.0 - task.c.consensus, 0.0),
        func.coalesce(1.0 - ContributorTrust.trust, 0.0),
    ]
    # SQLite's many-argument max() is PostgreSQL's greatest().
    return (func.max if dialect == "sqlite" else func.greatest)(*signals)


def _queue(dialect: str, scan_id: uuid.UUID | None) -> tuple[Any, ColumnElement[float], ColumnElement[bool]]:
    issue = LabelIssue.__table__.alias("issue")
    task = VerificationTask.__table__.alias("task")
    doubt = _doubt(dialect, issue, task).label("doubt")
    statement = (
        select(Drawing, Shape.name, doubt, issue.c.score, issue.c.suggested_shape, issue.c.flagged,
               task.c.consensus, ContributorTrust.trust)
        .join(Shape, Shape.id == Drawing.shape_id)
        .outerjoin(issue, and_(issue.c.job_id == (scan_id or uuid.UUID(int=0)), issue.c.drawing_id == Drawing.id,
                               issue.c.given_shape == Drawing.shape_id))
        .outerjoin(task, and_(task.c.drawing_id == Drawing.id, task.c.shape_id == Drawing.shape_id))
        .outerjoin(ContributorTrust, ContributorTrust.session_id == Drawing.session_id)
        .where(Drawing.reviewed_at.is_(None), Drawing.flagged.is_(False), Drawing.source != "synthetic")
    )
    waiting = or_(doubt > DOUBT_THRESHOLD, issue.c.flagged.is_(True))
    return statement, doubt, waiting


async def review_queue(session: AsyncSession, limit: int, cursor: str | None) -> ReviewPage:
    dialect = (await session.connection()).dialect.name
    scan = await latest_scan(session)
    statement, doubt, waiting = _queue(dialect, scan.id if scan else None)
    total = (await session.execute(
        select(func.count()).select_from(statement.where(waiting).with_only_columns(Drawing.id).subquery())
    )).scalar_one()
    page = statement.where(waiting).order_by(doubt.desc(), Drawing.id).limit(limit + 1)
    if cursor:
        value, after = decode_cursor(cursor, "cursor")
        page = page.where(or_(doubt < float(value), and_(doubt == float(value), Drawing.id > after)))
    rows = (await session.execute(page)).all()
    more, rows = len(rows) > limit, rows[:limit]
    tallies = await _tallies(session, [(row[0].id, row[0].shape_id) for row in rows])
    names = dict((await session.execute(select(Shape.id, Shape.name))).all())
    items = []
    for drawing, shape_name, row_doubt, score, suggested, flagged, consensus, trust in rows:
        label_issue = None if score is None else LabelIssueReason(
            score=score, suggested_shape=ShapeRef(id=suggested, name=names.get(suggested, suggested)), flagged=flagged)
        items.append(ReviewItem(
            drawing_id=drawing.id, shape=ShapeRef(id=drawing.shape_id, name=shape_name), session_id=drawing.session_id,
            source=drawing.source, created_at=drawing.created_at, flagged=drawing.flagged, doubt=float(row_doubt),
            reasons=ReviewReasons(
                label_issue=label_issue, model_agreement=drawing.model_agreement, model_shape=drawing.model_shape,
                consensus=consensus, votes=tallies[drawing.id], author_trust=trust,
            ),
        ))
    next_cursor = encode_cursor(items[-1].doubt, items[-1].drawing_id) if more and items else None
    return ReviewPage(items=items, next_cursor=next_cursor, total=total)


async def _tallies(session: AsyncSession, drawings: list[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, VoteTally]:
    """The answers to each drawing's current-label question."""
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    if drawings:
        rows = await session.execute(
            select(VerificationTask.drawing_id, VerificationVote.answer, func.count())
            .join(VerificationVote, VerificationVote.task_id == VerificationTask.id)
            .where(tuple_(VerificationTask.drawing_id, VerificationTask.shape_id).in_(drawings))
            .group_by(VerificationTask.drawing_id, VerificationVote.answer)
        )
        for drawing_id, answer, count in rows.all():
            counts[drawing_id][answer] = count
    return defaultdict(VoteTally, {d: VoteTally(**c) for d, c in counts.items()})


async def decide(session: AsyncSession, admin: AdminSession, drawing_id: uuid.UUID, body: ReviewAction) -> ReviewResult:
    """Accept, flag or relabel one drawing, audited, in the caller's transaction."""
    drawing = (await session.execute(
        select(Drawing).where(Drawing.id == drawing_id).with_for_update()
    )).scalar_one_or_none()
    if drawing is None:
        raise NotFoundError(f"No drawing {drawing_id}")
    now = datetime.now(UTC)
    details: dict[str, Any] = {"shape": drawing.shape_id}
    if body.action == "relabel":
        new_shape = await _new_label(session, drawing, body.shape_id)
        session.add(LabelChange(drawing_id=drawing.id, from_shape=drawing.shape_id, to_shape=new_shape.id,
                                admin_id=admin.admin_id, admin_email=admin.email, changed_at=now))
        details = {"from": drawing.shape_id, "to": new_shape.id}
        drawing.shape_id = new_shape.id
        await _ask_the_crowd(session, drawing)
    elif body.action == "flag":
        drawing.flagged, drawing.flag_reason = True, body.reason or "review: label in doubt"
        details["reason"] = drawing.flag_reason
    drawing.reviewed_at = now
    await session.flush()
    await record(session, admin.admin_id, admin.email, f"review.{body.action}", "drawing", str(drawing_id), details)
    name = (await session.execute(select(Shape.name).where(Shape.id == drawing.shape_id))).scalar_one()
    return ReviewResult(drawing_id=drawing.id, action=body.action, shape=ShapeRef(id=drawing.shape_id, name=name),
                        flagged=drawing.flagged, reviewed_at=now)


async def _new_label(session: AsyncSession, drawing: Drawing, shape_id: str | None) -> Shape:
    if not shape_id:
        raise ValidationError.for_field("shapeId", "a relabel needs the new shape")
    shape = await session.get(Shape, shape_id)
    if shape is None:
        raise ValidationError.for_field("shapeId", f"no shape {shape_id!r}")
    if shape.id == drawing.shape_id:
        raise ValidationError.for_field("shapeId", f"the drawing is already labelled {shape_id!r}")
    return shape


async def _ask_the_crowd(session: AsyncSession, drawing: Drawing) -> None:
    """A game drawing relabelled gets the question about its new label (once per label)."""
    if drawing.source != "game":
        return
    asked = (await session.execute(
        select(literal(1)).where(VerificationTask.drawing_id == drawing.id, VerificationTask.shape_id == drawing.shape_id)
    )).first()
    if asked is None:
        await VerificationService.add_task(await session.connection(), {
            "id": drawing.id, "shape_id": drawing.shape_id, "session_id": drawing.session_id,
            "model_agreement": None, "created_at": drawing.created_at,
        })


async def consensus_of(session: AsyncSession, drawing_id: uuid.UUID, shape_id: str) -> float | None:
    """The crowd's verdict on the drawing's label `shape_id` (null until aggregated)."""
    return (await session.execute(
        select(VerificationTask.consensus).where(VerificationTask.drawing_id == drawing_id,
                                                 VerificationTask.shape_id == shape_id)
    )).scalar_one_or_none()


async def label_history(session: AsyncSession, drawing_id: uuid.UUID) -> list[LabelChange]:
    rows = await session.execute(
        select(LabelChange).where(LabelChange.drawing_id == drawing_id).order_by(LabelChange.changed_at)
    )
    return list(rows.scalars())


__all__ = ["DOUBT_THRESHOLD", "consensus_of", "decide", "label_history", "review_queue"]
