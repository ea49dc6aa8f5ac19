"""A new stack's first model: a synthetic starter set and one training job, so that the
implementor API works minutes after `make run`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import func, select

from crowdsketch.common.identity import AdminSession
from crowdsketch.collection.service import new_drawing
from crowdsketch.db.models import AdminUser, Drawing, ModelVersion, TrainingJob
from crowdsketch.resources import Resources
from crowdsketch.synthetic import SHAPES, synthetic_drawings
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.schemas import TrainingConfig

logger = logging.getLogger("crowdsketch.bootstrap")

STARTER_PER_SHAPE = 600
STARTER_EPOCHS = 8
BATCH = 200


async def seed_synthetic(
    resources: Resources, per_shape: int, seed: int = 0, on_stored: Callable[[int], None] | None = None
) -> int:
    """Store `per_shape` synthetic drawings of every active default shape (source `synthetic`)."""
    catalog = {shape.id: shape for shape in await resources.collection.catalog.active_shapes()}
    shapes = [shape for shape in SHAPES if shape in catalog]
    drawings = synthetic_drawings(shapes, per_shape, seed)
    stored = 0
    for start in range(0, len(drawings), BATCH):
        batch = [
            new_drawing(data, catalog[label], source="synthetic", content_hash=data.content_hash())
            for label, data in drawings[start : start + BATCH]
        ]
        await resources.collection.store_drawings(batch)
        stored += len(batch)
        if on_stored is not None:
            on_stored(len(batch))
    return stored


async def bootstrap_first_model(resources: Resources) -> None:
    """On a stack with no drawings, no model and no training job: seed and start training."""
    async with resources.db.request_session() as session:
        drawings = (await session.execute(select(func.count()).select_from(Drawing))).scalar_one()
        models = (await session.execute(select(func.count()).select_from(ModelVersion))).scalar_one()
        jobs = (await session.execute(select(func.count()).select_from(TrainingJob))).scalar_one()
        admin = (await session.execute(select(AdminUser).order_by(AdminUser.created_at).limit(1))).scalar_one_or_none()
    if drawings or models or jobs or admin is None:
        return
    logger.info("bootstrap: seeding %d synthetic drawings per shape", STARTER_PER_SHAPE)
    await seed_synthetic(resources, STARTER_PER_SHAPE)
    actor = AdminSession("bootstrap", admin.id, admin.email, admin.name, "", "")
    job, _ = await TrainingJobs.from_resources(resources).start(
        actor, TrainingConfig(epochs=STARTER_EPOCHS, seed=0, activate=True)
    )
    logger.info("bootstrap: training job %s started for the first model", job.id)
