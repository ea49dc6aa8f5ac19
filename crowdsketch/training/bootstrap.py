"""A new stack's first model: a synthetic starter set and one training job, so that the
implementor API works minutes after `make run`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.collection.service import new_drawing
from crowdsketch.db.models import Drawing, ModelVersion, TrainingJob
from crowdsketch.resources import Resources
from crowdsketch.synthetic import SHAPES, synthetic_drawings
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.schemas import TrainingConfig

logger = logging.getLogger("crowdsketch.bootstrap")

STARTER_PER_SHAPE = 600
STARTER_EPOCHS = 8
BATCH = 200


@dataclass(frozen=True)
class _Platform:
    """The first job is the platform's own, not an admin's (there may be none yet)."""

    email: str = "bootstrap"
    admin_id: uuid.UUID | None = None


BOOTSTRAP = _Platform()


async def seed_synthetic(
    resources: Resources, per_shape: int, seed: int = 0, on_stored: Callable[[int], None] | None = None
) -> int:
    """Store `per_shape` synthetic drawings of every active default shape (source
    `synthetic`). A drawing the stack already holds (the same content, from an earlier seed
    with this seed, or from anywhere) is not stored again. Says how many were stored."""
    catalog = {shape.id: shape for shape in await resources.collection.catalog.active_shapes()}
    shapes = [shape for shape in SHAPES if shape in catalog]
    drawings = synthetic_drawings(shapes, per_shape, seed)
    stored = 0
    for start in range(0, len(drawings), BATCH):
        candidates = {}
        for label, data in drawings[start : start + BATCH]:
            candidates.setdefault(data.content_hash(), (label, data))
        known = await resources.db.run(lambda session, hashes=list(candidates): _known(session, hashes), write=False)
        batch = [
            new_drawing(data, catalog[label], source="synthetic", content_hash=content_hash)
            for content_hash, (label, data) in candidates.items() if content_hash not in known
        ]
        if batch:
            await resources.collection.store_drawings(batch)
        stored += len(batch)
        if on_stored is not None:
            on_stored(len(drawings[start : start + BATCH]))
    return stored


async def _known(session: AsyncSession, hashes: list[str]) -> set[str]:
    found = await session.execute(select(Drawing.content_hash).where(Drawing.content_hash.in_(hashes)))
    return set(found.scalars())


async def start_bootstrap_training(resources: Resources) -> TrainingJob:
    """The first model's training: synthetic drawings seeded (those the stack holds already
    are kept), then a job of the starter recipe that activates its model."""
    logger.info("bootstrap: seeding %d synthetic drawings per shape", STARTER_PER_SHAPE)
    await seed_synthetic(resources, STARTER_PER_SHAPE)
    job, _ = await TrainingJobs.from_resources(resources).start(
        BOOTSTRAP, TrainingConfig(epochs=STARTER_EPOCHS, seed=0, activate=True)
    )
    return job


async def bootstrap_first_model(resources: Resources) -> None:
    """On a stack with no drawings, no model and no training job: seed and start training."""
    async with resources.db.request_session() as session:
        drawings = (await session.execute(select(func.count()).select_from(Drawing))).scalar_one()
        models = (await session.execute(select(func.count()).select_from(ModelVersion))).scalar_one()
        jobs = (await session.execute(select(func.count()).select_from(TrainingJob))).scalar_one()
    if drawings or models or jobs:
        logger.info("bootstrap: nothing to do, the stack already has %s",
                    ", ".join(f"{n} {what}" for n, what in ((drawings, "drawings"), (models, "models"), (jobs, "jobs")) if n))
        return
    job = await start_bootstrap_training(resources)
    logger.info("bootstrap: training job %s started for the first model", job.id)
