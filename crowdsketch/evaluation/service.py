"""Evaluation sets: real, labelled drawings that no model trains on, and every model's
score on each of them.

A set is one blob of JSON Lines (label + stroke data, as validated on the way in) and a row
naming it, with the content hash of each of its drawings in `eval_set_drawings`: the
training set leaves out any drawing with one of those hashes, whatever its source (see
`training/dataset.py`). Blob first, rows second, as everywhere: a failure leaves at most an
orphan blob, never a set without its drawings. A set is all or nothing: a file with a line
that fails the import's rules is refused whole, with the line and field at fault.

Scoring goes through `common.scoring.probabilities`, the function inference uses, so a
set's accuracy is the accuracy implementors get. A model is scored on every set when its
training job ends, and again whenever an admin asks (an "evaluate" job); each score
replaces the model's previous one for that set.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.line_formats import LineError, parse_line
from crowdsketch.common.shapes import CatalogShape
from crowdsketch.common.scoring import CARD_FILE, ScoringModel, probabilities, read_published, scoring_model
from crowdsketch.db.engine import Database
from crowdsketch.db.models import Drawing, EvalSet, EvalSetDrawing, ModelEvaluation, ModelVersion, Shape
from crowdsketch.errors import ConflictError, NotFoundError, ValidationError
from crowdsketch.evaluation.report import evaluate
from crowdsketch.evaluation.schemas import EVAL_SET_NAME, ClassScore, EvalSetRead, ModelEvaluationRead
from crowdsketch.ports.blob import BlobStore
from crowdsketch.resilience import DependencyGuard

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

logger = logging.getLogger(__name__)

NAME = re.compile(EVAL_SET_NAME)
# A refused file names its first faults, not all of a bad file's lines.
MAX_REPORTED_ERRORS = 20


class Actor(Protocol):
    """Who changes the sets, for the audit log: an admin's session, or the command line."""

    @property
    def admin_id(self) -> uuid.UUID | None: ...
    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class SetScore:
    eval_set_id: uuid.UUID
    eval_set: str
    accuracy: float
    drawings: int
    per_class: dict[str, dict[str, float | int]]

    def to_dict(self) -> dict[str, Any]:
        return {"evalSet": self.eval_set, "accuracy": self.accuracy, "drawings": self.drawings, "perClass": self.per_class}


def blob_key(set_id: uuid.UUID) -> str:
    return f"eval-sets/{set_id}.jsonl"


def _set_read(row: EvalSet) -> EvalSetRead:
    return EvalSetRead(name=row.name, drawings=row.drawings, shapes=list(row.shapes), created_at=row.created_at)


class EvaluationService:
    def __init__(self, db: Database, blobs: BlobStore, blob_guard: DependencyGuard, max_line_bytes: int) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard
        self.max_line_bytes = max_line_bytes

    @classmethod
    def from_resources(cls, resources: Resources) -> EvaluationService:
        return cls(resources.db, resources.blobs, resources.blob_guard, resources.settings.max_body_bytes)

    # The sets.

    async def add_set(self, name: str, lines: AsyncIterator[bytes], actor: Actor | None = None) -> EvalSetRead:
        """Register a set: every line valid, or 400 naming the faults; a taken name is 409."""
        if not NAME.match(name):
            raise ValidationError.for_field("name", "1-40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
        await self._refuse_taken(name)
        shapes = await self._db.run(_all_shapes, write=False)
        stored: list[bytes] = []
        hashes: set[str] = set()
        labels: set[str] = set()
        errors: list[dict[str, str]] = []
        number = 0
        async for raw in lines:
            number += 1
            if not raw.strip():
                continue
            try:
                parsed = parse_line(raw, shapes, self.max_line_bytes)
            except LineError as error:
                field = f"lines[{number}]" + ("" if error.field == "line" else f".{error.field}")
                errors.append({"field": field, "message": error.message})
                continue
            labels.add(parsed.shape.id)
            hashes.add(parsed.content_hash)
            document = {"label": parsed.shape.id, **parsed.data.model_dump(mode="json")}
            stored.append(orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE))
        if errors:
            first = errors[0]
            raise ValidationError(
                f"{len(errors)} line{'s' if len(errors) > 1 else ''} refused; {first['field']}: {first['message']}",
                details=errors[:MAX_REPORTED_ERRORS],
            )
        if not stored:
            raise ValidationError.for_field("body", "no drawings: one labelled drawing a line is expected")
        set_id = uuid.uuid4()
        key = blob_key(set_id)
        await self._blob_guard.call(lambda: self._blobs.put(key, b"".join(stored)))
        row = EvalSet(id=set_id, name=name, drawings=len(stored), shapes=sorted(labels), blob_key=key,
                      created_by=actor.admin_id if actor else None, created_at=datetime.now(UTC))

        async def insert(session: AsyncSession) -> None:
            session.add(row)
            await session.flush()
            session.add_all(EvalSetDrawing(eval_set_id=set_id, content_hash=h) for h in sorted(hashes))
            if actor is not None:
                await record(session, actor.admin_id, actor.email, "evalset.add", "eval_set", name,
                             {"drawings": row.drawings, "shapes": row.shapes})

        try:
            await self._db.run(insert)
        except IntegrityError:
            # The name was taken since we looked: this set's row does not exist.
            await self._delete_blob_quietly(key)
            raise self._taken(name) from None
        return _set_read(row)

    async def list_sets(self) -> list[EvalSetRead]:
        """Oldest first."""
        async def load(session: AsyncSession) -> list[EvalSetRead]:
            rows = (await session.execute(select(EvalSet).order_by(EvalSet.created_at, EvalSet.name))).scalars()
            return [_set_read(row) for row in rows]

        return await self._db.run(load, write=False)

    async def remove_set(self, name: str, actor: Actor | None = None) -> None:
        """The set, its hashes and the models' scores on it; then its blob (an orphan blob
        is harmless, a row without its blob is not)."""
        async def remove(session: AsyncSession) -> str:
            row = (await session.execute(select(EvalSet).where(EvalSet.name == name))).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"No evaluation set {name!r}")
            # Explicit rather than by cascade: SQLite enforces no foreign keys here.
            await session.execute(delete(ModelEvaluation).where(ModelEvaluation.eval_set_id == row.id))
            await session.execute(delete(EvalSetDrawing).where(EvalSetDrawing.eval_set_id == row.id))
            await session.delete(row)
            if actor is not None:
                await record(session, actor.admin_id, actor.email, "evalset.remove", "eval_set", name,
                             {"drawings": row.drawings})
            return row.blob_key

        key = await self._db.run(remove)
        await self._delete_blob_quietly(key)

    async def held_out(self, shapes: Sequence[str]) -> dict[str, Any]:
        """For a model card: the sets kept out of training, and how many stored drawings of
        these shapes were left out because a set holds them."""
        async def count(session: AsyncSession) -> dict[str, Any]:
            names = list((await session.execute(select(EvalSet.name).order_by(EvalSet.name))).scalars())
            statement = (
                select(func.count()).select_from(Drawing)
                .where(Drawing.content_hash.in_(select(EvalSetDrawing.content_hash)))
                .where(Drawing.shape_id.in_(list(shapes)))
            )
            return {"evalSets": names, "drawings": (await session.execute(statement)).scalar_one()}

        return await self._db.run(count, write=False)

    # Scoring.

    async def score_on_every_set(self, model: ScoringModel) -> list[SetScore]:
        sets = await self._db.run(
            lambda session: _all_rows(session, select(EvalSet).order_by(EvalSet.name)), write=False
        )
        scores = []
        for row in sets:
            data = await self._blob_guard.call(lambda key=row.blob_key: self._blobs.get(key))
            scores.append(await asyncio.to_thread(_score, model, row, data.splitlines()))
        return scores

    async def rescore(self, model_id: uuid.UUID) -> list[SetScore]:
        """Score a published model on every set now, replace its scores, and write them
        into its card too."""
        row = await self._db.run(lambda session: session.get(ModelVersion, model_id), write=False)
        if row is None:
            raise NotFoundError(f"No model {model_id}")
        onnx_bytes, card = await read_published(self._blobs, self._blob_guard, row.blob_prefix)
        model = await asyncio.to_thread(scoring_model, onnx_bytes, card)
        scores = await self.score_on_every_set(model)
        await self._db.run(lambda session: save_scores(session, model_id, scores, replace=True))
        card["evaluations"] = [score.to_dict() for score in scores]
        body = orjson.dumps(card, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        await self._blob_guard.call(lambda: self._blobs.put(row.blob_prefix + CARD_FILE, body))
        return scores

    # Helpers.

    async def _refuse_taken(self, name: str) -> None:
        taken = await self._db.run(
            lambda session: _scalar(session, select(EvalSet.id).where(EvalSet.name == name)), write=False
        )
        if taken is not None:
            raise self._taken(name)

    @staticmethod
    def _taken(name: str) -> ConflictError:
        return ConflictError(f"An evaluation set named {name!r} exists.",
                             details=[{"field": "name", "message": "already registered"}])

    async def _delete_blob_quietly(self, key: str) -> None:
        try:
            await self._blob_guard.call(lambda: self._blobs.delete(key))
        except Exception:  # noqa: BLE001 - an orphan blob is harmless: no row names it
            logger.warning("left an evaluation set's blob behind", extra={"blobKey": key}, exc_info=True)


async def save_scores(session: AsyncSession, model_id: uuid.UUID, scores: Iterable[SetScore], *, replace: bool) -> None:
    """In the caller's transaction. Scores of a set removed meanwhile are dropped."""
    scores = list(scores)
    existing = set((await session.execute(
        select(EvalSet.id).where(EvalSet.id.in_([s.eval_set_id for s in scores]))
    )).scalars()) if scores else set()
    if replace:
        await session.execute(delete(ModelEvaluation).where(ModelEvaluation.model_id == model_id))
    now = datetime.now(UTC)
    session.add_all(
        ModelEvaluation(model_id=model_id, eval_set_id=s.eval_set_id, accuracy=s.accuracy, drawings=s.drawings,
                        per_class=s.per_class, evaluated_at=now)
        for s in scores if s.eval_set_id in existing
    )
    await session.flush()


async def evaluations_by_model(
    session: AsyncSession, model_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ModelEvaluationRead]]:
    """Each model's scores, by set name."""
    if not model_ids:
        return {}
    statement = (
        select(ModelEvaluation, EvalSet.name)
        .join(EvalSet, EvalSet.id == ModelEvaluation.eval_set_id)
        .where(ModelEvaluation.model_id.in_(list(model_ids)))
        .order_by(EvalSet.name)
    )
    found: dict[uuid.UUID, list[ModelEvaluationRead]] = {model_id: [] for model_id in model_ids}
    for evaluation, name in (await session.execute(statement)).all():
        found[evaluation.model_id].append(ModelEvaluationRead(
            eval_set=name, accuracy=evaluation.accuracy, drawings=evaluation.drawings,
            per_class={label: ClassScore(**score) for label, score in evaluation.per_class.items()},
            evaluated_at=evaluation.evaluated_at,
        ))
    return found


def _score(model: ScoringModel, row: EvalSet, lines: list[bytes]) -> SetScore:
    classes = model.classes
    report = evaluate(lines, classes, lambda data: classes[int(probabilities(model, data.strokes).argmax())])
    per_class: dict[str, dict[str, float | int]] = {}
    for label in classes:
        hit, total = report.recall(label)
        if total:
            per_class[label] = {"accuracy": hit / total, "drawings": total}
    return SetScore(row.id, row.name, report.accuracy, report.counted, per_class)


async def _all_shapes(session: AsyncSession) -> dict[str, CatalogShape]:
    """Every shape of the catalogue, active or not, as the import reads labels."""
    rows = (await session.execute(select(Shape))).scalars()
    return {row.id: CatalogShape(row.id, row.name, row.closed, row.position) for row in rows}


async def _all_rows(session: AsyncSession, statement: Any) -> list[Any]:
    return list((await session.execute(statement)).scalars())


async def _scalar(session: AsyncSession, statement: Any) -> Any:
    return (await session.execute(statement)).scalar_one_or_none()
