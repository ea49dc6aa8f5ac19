"""Per-epoch progress is a report written beside training: a write that fails is logged
with the job and the epoch, and the training goes on to its model."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.resources import Resources
from crowdsketch.training.bootstrap import seed_synthetic
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.schemas import EpochProgress, TrainingConfig
from crowdsketch.training.trainer import EpochProgress as TrainerProgress
from crowdsketch.training.worker import TrainingWorker
from tests.support.stacks import copy_sqlite_template, make_settings


class Tester:
    admin_id: uuid.UUID | None = None
    email = "tests"


@pytest.fixture
async def resources(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Resources]:
    copy_sqlite_template(sqlite_template, tmp_path / "data")
    built = Resources.build(make_settings(data_dir=tmp_path / "data"))
    try:
        yield built
    finally:
        await built.close()


async def test_a_failed_progress_write_is_logged_and_training_completes(
    resources: Resources, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_synthetic(resources, per_shape=8, seed=1)
    jobs = TrainingJobs.from_resources(resources)
    job, _ = await jobs.start(Tester(), TrainingConfig(epochs=2, shapes=["circle", "line"], seed=1), publish=False)
    worker = TrainingWorker(resources)

    async def database_down(job_id: uuid.UUID, owner: str, epoch: EpochProgress, epochs: int | None = None) -> bool:
        raise ServiceUnavailableError("The database is unavailable; retry shortly.", retry_after_s=1)

    worker._jobs.record_progress = database_down  # type: ignore[method-assign]
    seen: list[int] = []

    def observer(progress: TrainerProgress) -> None:
        seen.append(progress.epoch)
        raise RuntimeError("a progress bar that broke")

    with caplog.at_level(logging.WARNING, logger="crowdsketch.training.worker"):
        assert await worker.run_job(job.id, observer)

    ended = await resources.db.run(lambda session: jobs.get_job(session, job.id), write=False)
    assert ended.status == "completed", ended.error
    assert ended.model_id is not None
    assert seen == [1, 2]
    failed_writes = [r for r in caplog.records if r.getMessage() == "recording training progress failed"]
    assert [(r.jobId, r.epoch) for r in failed_writes] == [(str(job.id), 1), (str(job.id), 2)]  # type: ignore[attr-defined]
    assert all(r.exc_info and r.exc_info[0] is ServiceUnavailableError for r in failed_writes)
    broken = [r for r in caplog.records if r.getMessage() == "reporting training progress failed"]
    assert [r.epoch for r in broken] == [1, 2]  # type: ignore[attr-defined]


async def test_a_worker_that_lost_its_lease_leaves_the_job_to_the_worker_that_took_it(resources: Resources) -> None:
    jobs = TrainingJobs.from_resources(resources)
    job, _ = await jobs.start(Tester(), TrainingConfig(epochs=1, shapes=["circle", "line"], seed=2), publish=False)
    assert await jobs.mark_running(job.id, "worker-a") is not None
    assert await jobs.mark_running(job.id, "worker-b") is not None  # a's lease lapsed; b took the job

    await jobs.mark_cancelled(job.id, "worker-a")  # what a stops with when its heartbeat finds the job gone
    await jobs.fail(job.id, "RuntimeError: a's thread died", "worker-a")

    current = await resources.db.run(lambda session: jobs.get_job(session, job.id), write=False)
    assert (current.status, current.lease_owner, current.error) == ("running", "worker-b", None)
    assert await jobs.heartbeat(job.id, "worker-b")
    await jobs.mark_cancelled(job.id, "worker-b")
    ended = await resources.db.run(lambda session: jobs.get_job(session, job.id), write=False)
    assert ended.status == "cancelled"
