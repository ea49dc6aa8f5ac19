"""Workers that finish at the same moment each get a model of their own version."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select

from crowdsketch.db.models import ModelVersion
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.schemas import TrainingConfig
from tests.support.stacks import Stack

pytestmark = pytest.mark.settings(dependency_timeout_s=1.0)


class Starter:
    admin_id: uuid.UUID | None = None
    email = "tests"


def _model() -> ModelVersion:
    model_id = uuid.uuid4()
    return ModelVersion(
        id=model_id, classes=["a", "b"], accuracy=0.9, metrics={}, dataset_size=10,
        dataset_hash="0" * 64, blob_prefix=f"models/{model_id}/", active=False,
    )


async def test_jobs_completing_together_get_distinct_versions(client: httpx.AsyncClient, stack: Stack) -> None:
    assert stack.resources is not None
    jobs = TrainingJobs.from_resources(stack.resources)
    started = [
        (await jobs.start(Starter(), TrainingConfig(epochs=1, shapes=["circle", "line"], seed=seed), publish=False))[0]
        for seed in range(6)
    ]
    for n, job in enumerate(started):
        assert await jobs.mark_running(job.id, f"worker-{n}") is not None

    saved = await asyncio.gather(*(jobs.complete(job.id, f"worker-{n}", _model()) for n, job in enumerate(started)))

    assert all(model is not None for model in saved)
    rows = await stack.resources.db.run(
        lambda session: session.execute(select(ModelVersion.version, ModelVersion.job_id)), write=False
    )
    versions = sorted(version for version, _ in rows.all())
    assert versions == [1, 2, 3, 4, 5, 6]
