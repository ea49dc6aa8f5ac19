"""`crowdsketch train`: a progress bar while the model trains (here, or on a worker with
--queue), then the model it made."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crowdsketch.cli import app
from crowdsketch.db.models import AuditEntry, ModelVersion, TrainingJob
from crowdsketch.resources import Resources
from crowdsketch.training.worker import TrainingWorker
from tests.support.stacks import copy_sqlite_template, make_settings

ENV = {
    "CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_BCRYPT_ROUNDS": "4", "CROWDSKETCH_LOG_JSON": "false",
    "CROWDSKETCH_JOB_POLL_INTERVAL_S": "0.1",
    # A two-epoch model is activated whatever its accuracy (the floor has tests of its own).
    "CROWDSKETCH_ACTIVATION_FLOOR": "0",
}
SMALL_RUN = ["--epochs", "2", "--shapes", "circle,line,triangle", "--seed", "1"]


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    """An embedded stack with 15 synthetic drawings of each shape."""
    copy_sqlite_template(sqlite_template, tmp_path / "data")
    seeded = CliRunner().invoke(app, ["seed", "--per-shape", "15", "--data-dir", str(tmp_path / "data")], env=ENV)
    assert seeded.exit_code == 0, seeded.output
    return tmp_path / "data"


def _rows(data_dir: Path) -> tuple[list[TrainingJob], list[ModelVersion], list[AuditEntry]]:
    async def read() -> tuple[list[TrainingJob], list[ModelVersion], list[AuditEntry]]:
        resources = Resources.build(make_settings(data_dir=data_dir))
        try:
            async with resources.db.request_session() as session:
                jobs = list((await session.execute(select(TrainingJob))).scalars())
                models = list((await session.execute(select(ModelVersion))).scalars())
                audit = list((await session.execute(select(AuditEntry))).scalars())
                return jobs, models, audit
        finally:
            await resources.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


@contextmanager
def _worker(data_dir: Path) -> Iterator[None]:
    """A training worker on the data dir, in a thread of its own, for the block."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    tasks: list[asyncio.Task[None]] = []

    def serve() -> None:
        resources = Resources.build(make_settings(data_dir=data_dir, job_poll_interval_s=0.1))
        tasks.append(loop.create_task(TrainingWorker(resources).run()))
        loop.call_soon(started.set)
        try:
            loop.run_until_complete(asyncio.gather(tasks[0], return_exceptions=True))
        finally:
            loop.run_until_complete(resources.close())
            loop.close()

    thread = threading.Thread(target=serve)
    thread.start()
    started.wait()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(tasks[0].cancel)
        thread.join()


def test_train_runs_here_with_a_progress_bar_and_prints_the_model(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["train", *SMALL_RUN, "--data-dir", str(data_dir)], env=ENV)

    assert result.exit_code == 0, result.output
    assert re.search(r"epoch 2/2 +loss \d+\.\d{4} +validation accuracy \d\.\d{3}", result.output), result.output
    [job], [model], audit = _rows(data_dir)
    assert f"model version 1: validation accuracy {model.accuracy:.3f} (active), training job {job.id}" in result.output
    assert job.status == "completed" and job.model_id == model.id
    assert [epoch["epoch"] for epoch in job.progress["epochs"]] == [1, 2]
    assert job.config["shapes"] == ["circle", "line", "triangle"] and job.config["seed"] == 1
    assert [(entry.action, entry.admin_id) for entry in audit] == [("training.start", None)]
    assert audit[0].admin_email.startswith("command line")


def test_train_with_queue_follows_the_worker_that_trains_it(data_dir: Path) -> None:
    with _worker(data_dir):
        result = CliRunner().invoke(app, ["train", *SMALL_RUN, "--queue", "--data-dir", str(data_dir)], env=ENV)

    assert result.exit_code == 0, result.output
    assert re.search(r"epoch 2/2 +loss \d+\.\d{4} +validation accuracy \d\.\d{3}", result.output), result.output
    [job], [model], _ = _rows(data_dir)
    assert f"model version 1: validation accuracy {model.accuracy:.3f} (active), training job {job.id}" in result.output
    assert job.status == "completed" and job.attempts == 1  # taken from the queue, by the worker


def test_train_refuses_an_unknown_shape_and_a_bad_option(data_dir: Path) -> None:
    unknown = CliRunner().invoke(app, ["train", "--shapes", "circle,unicorn", "--data-dir", str(data_dir)], env=ENV)
    too_many = CliRunner().invoke(app, ["train", "--epochs", "101", "--data-dir", str(data_dir)], env=ENV)

    assert unknown.exit_code == 1 and "no shape 'unicorn'" in unknown.output
    assert too_many.exit_code == 2 and "--epochs" in too_many.output
    assert _rows(data_dir) == ([], [], [])


def test_a_training_that_fails_says_why_and_exits_1(data_dir: Path) -> None:
    # Every drawing of the data dir is synthetic: without them there is nothing to learn.
    result = CliRunner().invoke(app, ["train", *SMALL_RUN, "--no-include-synthetic", "--data-dir", str(data_dir)], env=ENV)

    [job], models, _ = _rows(data_dir)
    assert result.exit_code == 1, result.output
    assert f"training job {job.id} failed: " in result.output and "no drawings" in result.output
    assert job.status == "failed" and models == []
