"""A worker killed with SIGKILL in the middle of training leaves its job to another worker:
RabbitMQ redelivers it when the dead worker's connection drops; the database-fed queue
hands it on when the dead worker's lease lapses. A job whose workers die three times is
given up and ends `failed`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid

import httpx
import pytest

from crowdsketch.training.bootstrap import seed_synthetic
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.worker import TrainingWorker
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

SHAPES = {"circle", "line", "triangle"}


def _worker_env(stack: Stack) -> dict[str, str]:
    settings = stack.settings
    env = {key: value for key, value in os.environ.items() if not key.startswith("CROWDSKETCH_")}
    values = {
        "ENVIRONMENT": "test", "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
        "BLOB_URL": settings.blob_url, "REDIS_URL": settings.redis_url, "AMQP_URL": settings.amqp_url,
        "AMQP_TRAINING_QUEUE": settings.amqp_training_queue, "JOB_LEASE_S": str(settings.job_lease_s),
        "JOB_POLL_INTERVAL_S": str(settings.job_poll_interval_s), "LOG_JSON": "false", "BCRYPT_ROUNDS": "4",
    }
    env.update({f"CROWDSKETCH_{key}": value for key, value in values.items() if value is not None})
    for key in ("aws_endpoint_url", "aws_access_key_id", "aws_secret_access_key"):
        if getattr(settings, key):
            env[key.upper()] = getattr(settings, key)
    return env


async def _job(client: httpx.AsyncClient, job_id: str) -> dict:
    return (await client.get(f"/api/admin/training/jobs/{job_id}")).json()


async def _ended(client: httpx.AsyncClient, job_id: str) -> dict | None:
    job = await _job(client, job_id)
    return job if job["status"] not in {"queued", "running"} else None


@pytest.mark.settings(job_lease_s=2.0, job_poll_interval_s=0.1)
async def test_a_job_whose_worker_was_killed_is_completed_by_another(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    assert stack.resources is not None
    for shape in await stack.resources.collection.catalog.active_shapes():
        if shape.id not in SHAPES:
            assert (await admin_client.patch(f"/api/admin/shapes/{shape.id}", json={"active": False})).status_code == 200
    stack.resources.collection.catalog.invalidate()
    await seed_synthetic(stack.stores, per_shape=60, seed=5)
    # Enough epochs that the first worker is still training when it is killed.
    job_id = (await admin_client.post("/api/admin/training/start", json={"epochs": 40, "seed": 2})).json()["id"]

    doomed = subprocess.Popen(
        [sys.executable, "-m", "crowdsketch.cli", "worker"], env=_worker_env(stack),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        async def training() -> bool:
            assert doomed.poll() is None, "the first worker exited on its own"
            return bool((await _job(admin_client, job_id))["progress"].get("epochs"))

        await eventually(training, "the first worker training", within_s=JOB_DEADLINE_S, interval_s=0.1)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    killed_at = await _job(admin_client, job_id)
    assert killed_at["status"] == "running"

    survivor = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        job = await eventually(lambda: _ended(admin_client, job_id), "the job ended", within_s=JOB_DEADLINE_S, interval_s=0.2)
    finally:
        survivor.cancel()
        await asyncio.gather(survivor, return_exceptions=True)

    assert job["status"] == "completed", job
    if stack.mode == "embedded":
        # The database-fed queue counts its claims on the row (RabbitMQ counts deliveries
        # in the broker, where the delivery limit applies).
        assert job["attempts"] == 2
    assert len((await admin_client.get("/api/admin/models")).json()) == 1


async def _die_holding_the_job(stack: Stack, job_id: str) -> None:
    """What the queue sees of a worker killed mid-job: it took the delivery, marked the job
    running, and never acknowledged it (its consumer went away)."""
    assert stack.resources is not None
    consumer = stack.resources.jobs.consume()
    async with asyncio.timeout(30):  # the database queue hands it on once the lease lapses
        delivery = await anext(consumer)
    assert str(delivery.message.job_id) == job_id
    assert await TrainingJobs.from_resources(stack.resources).mark_running(uuid.UUID(job_id), "doomed worker")
    await consumer.aclose()  # type: ignore[attr-defined]


@pytest.mark.settings(job_lease_s=0.5, job_poll_interval_s=0.05)
async def test_a_job_whose_workers_keep_crashing_ends_failed_after_three_attempts(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    job_id = (await admin_client.post("/api/admin/training/start", json={"epochs": 1})).json()["id"]
    for _ in range(3):
        await _die_holding_the_job(stack, job_id)
    assert (await _job(admin_client, job_id))["status"] == "running"

    assert stack.resources is not None
    survivor = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        job = await eventually(lambda: _ended(admin_client, job_id), "the job ended", interval_s=0.05)
    finally:
        survivor.cancel()
        await asyncio.gather(survivor, return_exceptions=True)

    assert job["status"] == "failed", job
    assert job["error"] == "worker crashed 3 times; gave up"
    assert job["finishedAt"] is not None
    if stack.mode == "embedded":
        assert job["attempts"] == 3
    assert (await admin_client.get("/api/admin/models")).json() == []
    # The config is free again: starting it makes a new job.
    assert (await admin_client.post("/api/admin/training/start", json={"epochs": 1})).status_code == 201
