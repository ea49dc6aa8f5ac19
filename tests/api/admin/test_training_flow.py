"""The loop closed: seed → start training → a worker trains → the model is active and
classifies held-out drawings."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from crowdsketch.synthetic import synthetic_drawing
from crowdsketch.training.bootstrap import seed_synthetic
from crowdsketch.training.worker import TrainingWorker
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

SHAPES = ["circle", "line", "triangle"]


async def _wait_for_status(client: httpx.AsyncClient, job_id: str, statuses: set[str]) -> dict:
    async def ended() -> dict | None:
        job = (await client.get(f"/api/admin/training/jobs/{job_id}")).json()
        return job if job["status"] in statuses else None

    return await eventually(ended, f"job {job_id} {' or '.join(sorted(statuses))}", within_s=JOB_DEADLINE_S, interval_s=0.2)


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_started_job_is_trained_activated_and_serves_classifications(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    assert stack.resources is not None
    for shape in await stack.resources.collection.catalog.active_shapes():
        if shape.id not in SHAPES:
            response = await admin_client.patch(f"/api/admin/shapes/{shape.id}", json={"active": False})
            assert response.status_code == 200, response.text
    stack.resources.collection.catalog.invalidate()
    await seed_synthetic(stack.stores, per_shape=60, seed=3)

    started = await admin_client.post("/api/admin/training/start", json={"epochs": 6, "seed": 1})
    assert started.status_code == 201, started.text
    job_id = started.json()["id"]
    worker = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        job = await _wait_for_status(admin_client, job_id, {"completed", "failed"})
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)

    assert job["status"] == "completed", job
    epochs = job["progress"]["epochs"]
    assert [e["epoch"] for e in epochs] == list(range(1, 7))
    [model] = (await admin_client.get("/api/admin/models")).json()
    assert model["active"] is True  # the first model is activated by itself
    assert model["datasetSize"] == 180

    deadline = time.monotonic() + 30
    while (info := await admin_client.get("/api/inference/model/info")).status_code != 200:
        assert time.monotonic() < deadline, info.text
        await asyncio.sleep(0.1)
    assert sorted(info.json()["classes"]) == SHAPES

    rng = random.Random(12345)  # drawings the model never saw
    correct = 0
    for n in range(30):
        shape = SHAPES[n % 3]
        data = synthetic_drawing(shape, rng)
        response = await admin_client.post("/api/inference/classify", json={"strokeData": data.model_dump(mode="json")})
        assert response.status_code == 200, response.text
        correct += response.json()["shape"] == shape
    assert correct >= 27, f"{correct}/30 held-out drawings classified correctly"


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_job_with_too_few_shapes_fails_with_the_reason(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    assert stack.resources is not None
    started = await admin_client.post("/api/admin/training/start", json={"epochs": 1, "shapes": ["circle", "line"]})
    assert started.status_code == 201, started.text
    worker = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        job = await _wait_for_status(admin_client, started.json()["id"], {"completed", "failed"})
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert job["status"] == "failed"
    assert "no drawings" in job["error"]
