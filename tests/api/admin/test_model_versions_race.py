"""Writes that race on a training job's row: versions of models finishing together, and
progress written while an admin asks to cancel."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import select

from crowdsketch.db.models import ModelVersion
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.schemas import EpochProgress, TrainingConfig
from tests.support.stacks import Stack


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
    rows = await stack.stores.db.run(
        lambda session: session.execute(select(ModelVersion.version, ModelVersion.job_id)), write=False
    )
    versions = sorted(version for version, _ in rows.all())
    assert versions == [1, 2, 3, 4, 5, 6]


async def test_progress_written_at_once_keeps_every_epoch_and_a_cancel_request(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    assert stack.resources is not None
    jobs = TrainingJobs.from_resources(stack.resources)
    job, _ = await jobs.start(Starter(), TrainingConfig(epochs=40, shapes=["circle", "line"], seed=9), publish=False)
    assert await jobs.mark_running(job.id, "worker-a") is not None
    figures = [
        EpochProgress(epoch=n, loss=1.0 / n, train_accuracy=0.5, validation_accuracy=0.5, seconds=0.1)
        for n in range(1, 41)
    ]

    *written, cancel = await asyncio.gather(
        *(jobs.record_progress(job.id, "worker-a", f) for f in figures),
        admin_client.post(f"/api/admin/training/jobs/{job.id}/cancel"),
    )

    assert all(written) and cancel.status_code == 200, cancel.text
    current = await stack.stores.db.run(lambda session: jobs.get_job(session, job.id), write=False)
    assert sorted(e["epoch"] for e in current.progress["epochs"]) == list(range(1, 41))
    assert current.progress.get("cancelRequested") is True
