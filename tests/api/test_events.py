"""The admin event stream over a real WebSocket, on both stacks: a training job's moves in
order, resuming with `?since=`, and the doors that stay shut (no session, a foreign Origin,
a logout)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from crowdsketch.app import create_app
from crowdsketch.training.worker import TrainingWorker
from tests.api.admin.test_eval_sets import NDJSON, SHAPES, labelled_lines
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, create_admin
from tests.support.live import live_server
from tests.support.stacks import Stack

EPOCHS = 3
WAIT_S = 120.0


@pytest.fixture
async def served(stack: Stack) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The stack's app on a port, and an admin logged in to it."""
    app = create_app(stack.settings)
    async with live_server(app) as url:
        stack.resources = app.state.resources
        await create_admin(stack)
        async with httpx.AsyncClient(base_url=url, timeout=30) as admin:
            login = await admin.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert login.status_code == 200, login.text
            admin.headers["X-CSRF-Token"] = login.json()["csrfToken"]
            yield url, admin


def _socket(url: str, admin: httpx.AsyncClient | None, *, origin: str | None = None, since: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Cookie": f"sid={admin.cookies['sid']}"} if admin is not None else {}
    query = f"?since={since}" if since else ""
    return connect(f"{url.replace('http', 'ws', 1)}/api/admin/events{query}", additional_headers=headers,
                   origin=origin or url)  # type: ignore[arg-type]


async def _next(ws: ClientConnection, *types: str) -> dict[str, Any]:
    """The next message of one of `types` (others are skipped)."""
    while True:
        message = orjson.loads(await asyncio.wait_for(ws.recv(), WAIT_S))
        if not types or message["type"] in types:
            return message


async def _closed_with(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), WAIT_S)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_training_job_is_followed_epoch_by_epoch_and_a_reconnect_resumes(
    served: tuple[str, httpx.AsyncClient], stack: Stack
) -> None:
    url, admin = served
    async with _socket(url, admin) as ws:
        assert (await _next(ws))["type"] == "hello"
        imported = await admin.post("/api/admin/import", content=labelled_lines(6, seed=21), headers=NDJSON)
        assert imported.json()["imported"] == 12
        stats = await _next(ws, "drawings.stats")
        assert stats["data"]["perShape"] == {"circle": 6, "triangle": 6} and stats["at"]

        started = await admin.post("/api/admin/training/start", json={"epochs": EPOCHS, "shapes": SHAPES, "seed": 1})
        job_id = started.json()["id"]
        assert stack.resources is not None
        worker = asyncio.create_task(TrainingWorker(stack.resources).run())
        try:
            seen = [await _next(ws, "job.queued", "job.started", "job.epoch", "job.finished")]
            while seen[-1]["type"] != "job.finished":
                seen.append(await _next(ws, "job.queued", "job.started", "job.epoch", "job.finished"))
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
    assert all(event["data"]["jobId"] == job_id for event in seen)
    assert [e["type"] for e in seen] == ["job.queued", "job.started", *["job.epoch"] * EPOCHS, "job.finished"]
    assert [e["data"]["epoch"] for e in seen[2:-1]] == list(range(1, EPOCHS + 1))
    assert {e["data"]["epochs"] for e in seen[1:-1]} == {EPOCHS}
    assert 0 <= seen[2]["data"]["validationAccuracy"] <= 1 and seen[2]["data"]["loss"] > 0
    finished = seen[-1]["data"]
    assert finished["status"] == "completed" and finished["modelId"] and finished["error"] is None
    ids = [e["id"] for e in seen]
    assert len(set(ids)) == len(ids)

    # Back after the first epoch: the rest of the job comes again, in order.
    async with _socket(url, admin, since=ids[2]) as ws:
        hello = await _next(ws)
        assert (hello["type"], hello["data"]) == ("hello", {"resumed": True})
        replayed = [await _next(ws) for _ in range(len(ids) - 2)]
        assert [e["id"] for e in replayed if e["type"].startswith("job.")] == ids[3:]
        # Between the last epoch and the end, the first model made itself active.
        [activated] = [e for e in replayed if e["type"] == "model.activated"]
        assert activated["data"] == {"modelId": finished["modelId"], "version": 1}
    async with _socket(url, admin, since="gone.1") as ws:
        assert (await _next(ws))["type"] == "resync"


async def test_no_session_a_foreign_origin_and_a_logout_close_the_stream(served: tuple[str, httpx.AsyncClient]) -> None:
    url, admin = served
    async with _socket(url, None) as ws:
        assert await _closed_with(ws) == 4401
    async with _socket(url, admin, origin="https://elsewhere.example") as ws:
        assert await _closed_with(ws) == 4403
    async with _socket(url, admin) as ws:
        assert (await _next(ws))["type"] == "hello"
        assert (await admin.post("/api/admin/logout")).status_code == 204
        assert await _closed_with(ws) == 4401


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_the_command_line_follows_a_job_through_the_stream(
    served: tuple[str, httpx.AsyncClient], stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`crowdsketch train --queue`'s following: on the embedded stack through the serving
    process's relay, on the distributed one through Redis; the row is not re-read meanwhile."""
    from crowdsketch.training import command

    monkeypatch.setattr(command, "RECHECK_S", 3600.0)  # only the stream can move it on
    _, admin = served
    await admin.post("/api/admin/import", content=labelled_lines(6, seed=22), headers=NDJSON)
    started = await admin.post("/api/admin/training/start", json={"epochs": EPOCHS, "shapes": SHAPES, "seed": 2})
    assert stack.resources is not None
    shown: list[int] = []
    following = asyncio.create_task(command.follow(
        stack.resources, uuid.UUID(started.json()["id"]), lambda progress: shown.append(progress.epoch)))
    await asyncio.sleep(0.5)  # subscribed before the worker starts
    worker = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        job = await asyncio.wait_for(following, WAIT_S)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert job.status == "completed" and shown == list(range(1, EPOCHS + 1))
