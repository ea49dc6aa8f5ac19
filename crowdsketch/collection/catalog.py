"""The shape catalogue as the game sees it: the active shapes, how many drawings each has
and how often the active model gets each wrong on the evaluation sets, cached for a few
seconds so that a submission does not cost a catalogue query.

The next prompt balances the catalogue (a shape among the least drawn) and, once the active
model has been scored on an evaluation set, also asks for what the model confuses: a share
of the prompts (`CONFUSED_SHARE`) goes to the shapes it gets wrong, each in proportion to
its error rate on the sets (active learning: more drawings where the model is weakest).
Never the shape prompted last, either way."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.shapes import CatalogShape
from crowdsketch.common.tallies import shape_counts
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ModelEvaluation, ModelVersion, Shape
from crowdsketch.errors import ValidationError

# How many of the least-drawn shapes a prompt is drawn from: enough that contributors who
# arrive together are not all asked for the same shape.
PROMPT_CANDIDATES = 3
# The share of prompts that goes to the shapes the active model gets wrong, when it has any.
CONFUSED_SHARE = 0.3


class ShapeCatalog:
    def __init__(self, db: Database, ttl_s: float, rng: random.Random | None = None) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._rng = rng or random.Random()
        self._shapes: dict[str, CatalogShape] = {}
        self._counts: dict[str, int] = {}
        self._errors: dict[str, float] = {}  # shape → the active model's error rate on the evaluation sets
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def active_shapes(self) -> list[CatalogShape]:
        await self._refresh_if_stale()
        return sorted(self._shapes.values(), key=lambda shape: shape.position)

    async def active_shape(self, shape_id: str, field: str = "shapeId") -> CatalogShape:
        await self._refresh_if_stale()
        shape = self._shapes.get(shape_id)
        if shape is None:
            raise ValidationError.for_field(field, f"unknown or inactive shape {shape_id!r}")
        return shape

    async def next_prompt(self, previous: str | None) -> CatalogShape:
        """A shape among the least drawn or, `CONFUSED_SHARE` of the time when the active model
        gets some wrong, one of those by error rate; never `previous` (unless it is the only one)."""
        shapes = [s for s in await self.active_shapes() if s.id != previous] or await self.active_shapes()
        if not shapes:
            raise ValidationError.for_field("shapes", "the catalogue has no active shape")
        confused = [s for s in shapes if self._errors.get(s.id, 0.0) > 0]
        if confused and self._rng.random() < CONFUSED_SHARE:
            return self._rng.choices(confused, weights=[self._errors[s.id] for s in confused])[0]
        self._rng.shuffle(shapes)  # ties between equal counts go either way
        shapes.sort(key=lambda s: self._counts.get(s.id, 0))
        candidates = shapes[:PROMPT_CANDIDATES]
        fewest = self._counts.get(candidates[0].id, 0)
        weights = [1.0 / (1 + self._counts.get(s.id, 0) - fewest) for s in candidates]
        return self._rng.choices(candidates, weights=weights)[0]

    def record_drawing(self, shape_id: str) -> None:
        self._counts[shape_id] = self._counts.get(shape_id, 0) + 1

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    async def _refresh_if_stale(self) -> None:
        if time.monotonic() - self._loaded_at < self._ttl_s:
            return
        async with self._lock:
            if time.monotonic() - self._loaded_at < self._ttl_s:
                return
            shapes, counts, errors = await self._db.run(self._load, write=False)
            self._shapes = {shape.id: shape for shape in shapes}
            self._counts = counts
            self._errors = errors
            self._loaded_at = time.monotonic()

    @staticmethod
    async def _load(session: AsyncSession) -> tuple[list[CatalogShape], dict[str, int], dict[str, float]]:
        rows = (await session.execute(select(Shape).where(Shape.active.is_(True)))).scalars().all()
        counts = await shape_counts(session)  # the kept counts: no aggregate over the drawings
        shapes = [CatalogShape(row.id, row.name, row.closed, row.position) for row in rows]
        scores = await session.execute(
            select(ModelEvaluation.per_class)
            .join(ModelVersion, ModelVersion.id == ModelEvaluation.model_id)
            .where(ModelVersion.active.is_(True))
        )
        return shapes, counts, _error_rates(scores.scalars())


def _error_rates(per_class_scores: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Each label's share of drawings named wrong, over every set that has it."""
    missed: dict[str, float] = {}
    seen: dict[str, int] = {}
    for per_class in per_class_scores:
        for label, score in per_class.items():
            drawings = int(score.get("drawings", 0))
            missed[label] = missed.get(label, 0.0) + (1.0 - float(score.get("accuracy", 1.0))) * drawings
            seen[label] = seen.get(label, 0) + drawings
    return {label: missed[label] / seen[label] for label in missed if seen[label]}
