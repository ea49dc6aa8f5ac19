"""Admins start, follow and cancel training runs, and choose the model inference uses."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from crowdsketch.db.models import ModelVersion, TrainingJob
from crowdsketch.training.jobs import TrainingJobs
from tests.support.stacks import Stack, short_timeouts
from tests.support.waiting import DEADLINE_S


async def _start(client: httpx.AsyncClient, **config: Any) -> httpx.Response:
    return await client.post("/api/admin/training/start", json=config)


async def _set_status(stack: Stack, job_id: str, status: str) -> None:

    async def work(session) -> None:  # type: ignore[no-untyped-def]
        await session.execute(update(TrainingJob).where(TrainingJob.id == uuid.UUID(job_id)).values(status=status))

    await stack.stores.db.run(work)


async def _audit(client: httpx.AsyncClient, action: str) -> list[dict[str, Any]]:
    return (await client.get("/api/admin/audit", params={"action": action})).json()["items"]


async def test_the_same_config_twice_answers_the_first_job_and_a_new_config_a_new_one(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    first = await _start(admin_client, epochs=3, shapes=["square", "circle"])
    again = await _start(admin_client, epochs=3, shapes=["circle", "square", "circle"], minQuality=0, includeSynthetic=True)
    other = await _start(admin_client, epochs=4, shapes=["square", "circle"])

    assert first.status_code == 201, first.text
    job = first.json()
    assert job["status"] == "queued" and job["queuedAt"] is not None
    assert len(job["configHash"]) == 16
    assert job["config"] == {
        "epochs": 3, "shapes": ["circle", "square"], "minQuality": 0.0, "includeSynthetic": True,
        "includeFlagged": False, "seed": None, "activate": False,
    }
    assert job["progress"] == {"epochs": [], "cancelRequested": False, "notActivated": None}
    assert (again.status_code, again.json()["id"]) == (200, job["id"])
    assert other.status_code == 201 and other.json()["id"] != job["id"]
    assert len(await _audit(admin_client, "training.start")) == 2

    # The queue has the job: a worker would receive it.
    assert stack.resources is not None
    consumer = stack.resources.jobs.consume()
    async with asyncio.timeout(DEADLINE_S):
        delivery = await anext(consumer)
    assert str(delivery.message.job_id) == job["id"]
    await delivery.reject()
    await consumer.aclose()  # type: ignore[attr-defined]


async def test_without_shapes_every_active_shape_is_trained(admin_client: httpx.AsyncClient) -> None:
    response = await _start(admin_client, epochs=1)

    assert response.status_code == 201, response.text
    shapes = response.json()["config"]["shapes"]
    assert len(shapes) == 12 and shapes == sorted(shapes)


async def test_an_invalid_config_is_refused_with_its_fields(admin_client: httpx.AsyncClient) -> None:
    response = await _start(admin_client, epochs=0, minQuality=1.5, colour="red")
    unknown = await _start(admin_client, epochs=1, shapes=["circle", "unicorn"])

    assert response.status_code == 400
    assert {d["field"] for d in response.json()["details"]} == {"epochs", "minQuality", "colour"}
    assert unknown.status_code == 400
    assert unknown.json()["details"] == [{"field": "shapes[1]", "message": "no shape 'unicorn'"}]
    assert (await _start(admin_client, epochs=101)).status_code == 400
    assert (await admin_client.get("/api/admin/training/jobs")).json()["items"] == []


async def test_jobs_are_listed_newest_first_and_read_one_by_one(admin_client: httpx.AsyncClient) -> None:
    ids = [(await _start(admin_client, epochs=n)).json()["id"] for n in (1, 2, 3)]

    first_page = (await admin_client.get("/api/admin/training/jobs", params={"limit": 2})).json()
    second_page = (
        await admin_client.get("/api/admin/training/jobs", params={"limit": 2, "cursor": first_page["nextCursor"]})
    ).json()
    one = await admin_client.get(f"/api/admin/training/jobs/{ids[1]}")

    assert [j["id"] for j in first_page["items"] + second_page["items"]] == ids[::-1]
    assert second_page["nextCursor"] is None
    assert one.status_code == 200 and one.json()["config"]["epochs"] == 2
    assert (await admin_client.get(f"/api/admin/training/jobs/{uuid.uuid4()}")).status_code == 404
    queued = (await admin_client.get("/api/admin/training/jobs", params={"status": "queued"})).json()["items"]
    assert len(queued) == 3


async def test_a_queued_job_is_cancelled_at_once_and_a_running_one_asked_to_stop(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    queued = (await _start(admin_client, epochs=1)).json()
    running = (await _start(admin_client, epochs=2)).json()
    await _set_status(stack, running["id"], "running")

    cancelled = await admin_client.post(f"/api/admin/training/jobs/{queued['id']}/cancel")
    asked = await admin_client.post(f"/api/admin/training/jobs/{running['id']}/cancel")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finishedAt"] is not None
    assert asked.json()["status"] == "running" and asked.json()["progress"]["cancelRequested"] is True
    assert stack.resources is not None
    assert await TrainingJobs.from_resources(stack.resources).is_cancel_requested(uuid.UUID(running["id"]))
    assert {e["targetId"] for e in await _audit(admin_client, "training.cancel")} == {queued["id"], running["id"]}
    # A cancelled job no longer stands in for its config.
    assert (await _start(admin_client, epochs=1)).status_code == 201


async def test_a_finished_job_cannot_be_cancelled(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    job = (await _start(admin_client, epochs=1)).json()
    await _set_status(stack, job["id"], "completed")

    response = await admin_client.post(f"/api/admin/training/jobs/{job['id']}/cancel")

    assert response.status_code == 409 and response.json()["error"] == "CONFLICT"
    assert (await admin_client.post(f"/api/admin/training/jobs/{uuid.uuid4()}/cancel")).status_code == 404


async def _insert_models(stack: Stack, count: int) -> list[uuid.UUID]:
    models = [
        ModelVersion(
            version=n, classes=["circle", "square"], accuracy=0.8 + n / 100, metrics={"circle": {"recall": 0.9}},
            dataset_size=100 * n, dataset_hash="0" * 64, blob_prefix=f"models/{n}", active=n == 1,
            created_at=datetime.now(UTC) - timedelta(minutes=10 - n),
        )
        for n in range(1, count + 1)
    ]

    async def work(session) -> None:  # type: ignore[no-untyped-def]
        session.add_all(models)

    await stack.stores.db.run(work)
    return [m.id for m in models]


async def test_activating_a_model_leaves_exactly_one_active_and_tells_inference(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    first, second = await _insert_models(stack, 2)
    assert stack.resources is not None

    async with stack.resources.kv.subscribe("models.active") as messages:
        response = await admin_client.post(f"/api/admin/models/{second}/activate")
        async with asyncio.timeout(DEADLINE_S):
            notice = await anext(messages)  # type: ignore[call-overload]

    assert response.status_code == 200, response.text
    assert response.json()["active"] is True and response.json()["activatedAt"] is not None
    assert notice == str(second).encode()
    listed = (await admin_client.get("/api/admin/models")).json()
    assert [(m["version"], m["active"]) for m in listed] == [(2, True), (1, False)]
    assert listed[1]["metrics"] == {"circle": {"recall": 0.9}} and listed[1]["datasetSize"] == 100
    [entry] = await _audit(admin_client, "model.activate")
    assert entry["targetId"] == str(second) and entry["details"]["previous"] == str(first)
    assert (await admin_client.post(f"/api/admin/models/{uuid.uuid4()}/activate")).status_code == 404


async def test_a_job_left_pending_is_published_by_the_sweeper(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    assert stack.resources is not None
    stranded = TrainingJob(config={"epochs": 1}, config_hash="f" * 16, status="pending", progress={})

    async def work(session) -> None:  # type: ignore[no-untyped-def]
        session.add(stranded)

    await stack.stores.db.run(work)
    jobs = TrainingJobs.from_resources(stack.resources)

    assert await jobs.republish_pending(older_than_s=60) == 0  # too recent: its publisher may be at it
    assert await jobs.republish_pending(older_than_s=0) == 1

    job = (await admin_client.get(f"/api/admin/training/jobs/{stranded.id}")).json()
    assert job["status"] == "queued" and job["queuedAt"] is not None


@pytest.mark.parametrize("stack", ["distributed"], indirect=True)
@short_timeouts
async def test_a_job_started_while_the_broker_is_down_is_kept_and_published_later(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    assert stack.resources is not None
    with stack.outage("job queue"):
        response = await _start(admin_client, epochs=1)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    # The same config again while it waits: still that job.
    assert (await _start(admin_client, epochs=1)).json()["id"] == response.json()["id"]

    assert await TrainingJobs.from_resources(stack.resources).republish_pending(older_than_s=0) == 1

    job = (await admin_client.get(f"/api/admin/training/jobs/{response.json()['id']}")).json()
    assert job["status"] == "queued"
    consumer = stack.resources.jobs.consume()
    async with asyncio.timeout(DEADLINE_S):
        delivery = await anext(consumer)
    assert str(delivery.message.job_id) == job["id"]
    await delivery.ack()
    await consumer.aclose()  # type: ignore[attr-defined]
