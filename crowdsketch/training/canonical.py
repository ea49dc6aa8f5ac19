"""What makes two training configs the same training: the canonical form and its hash.

A job's config is stored in its canonical form (defaults filled, shapes resolved and
sorted) and hashed, so that starting the same training twice finds the unfinished job
(`jobs.TrainingJobs.start`). The web's Training page applies the same rule
(`web/src/admin/training/trainingConfig.ts`).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import Dataset, Shape
from crowdsketch.errors import ValidationError
from crowdsketch.training.schemas import TrainingConfig


def config_hash(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


OPTIONAL_FILTERS = ("min_agreement", "min_consensus", "min_trust")


# What a training from a snapshot keeps of the config: the snapshot decides the drawings.
FROM_SNAPSHOT = {"epochs", "seed", "activate", "dataset_id"}


async def canonical_config(session: AsyncSession, config: TrainingConfig) -> dict[str, Any]:
    """Defaults filled and the shapes spelled out, sorted: the same training, the same form.
    A training from a snapshot is its snapshot, epochs, seed and activation."""
    if config.dataset_id is not None:
        chosen = sorted(config.model_fields_set - FROM_SNAPSHOT)
        if chosen:
            raise ValidationError.for_field(
                "datasetId", f"a snapshot decides the drawings: leave out {', '.join(chosen)} (or datasetId)")
        if await session.get(Dataset, config.dataset_id) is None:
            raise ValidationError.for_field("datasetId", f"no snapshot {config.dataset_id}")
        return config.model_dump(mode="json", by_alias=True, include=FROM_SNAPSHOT)
    if config.shapes is None:
        shapes = list((await session.execute(select(Shape.id).where(Shape.active.is_(True)))).scalars())
    else:
        known = set((await session.execute(select(Shape.id).where(Shape.id.in_(config.shapes)))).scalars())
        unknown = [(i, s) for i, s in enumerate(config.shapes) if s not in known]
        if unknown:
            raise ValidationError(
                f"shapes: no shape {unknown[0][1]!r}",
                details=[{"field": f"shapes[{i}]", "message": f"no shape {s!r}"} for i, s in unknown],
            )
        shapes = config.shapes
    shapes = sorted(set(shapes))
    if len(shapes) < 2:
        raise ValidationError.for_field("shapes", "a classifier needs at least 2 shapes")
    # An optional filter left unset is left out: the form configs had before it existed.
    unset = {name for name in OPTIONAL_FILTERS if getattr(config, name) is None}
    return {**config.model_dump(by_alias=True, exclude=unset | {"dataset_id"}), "shapes": shapes}
