"""A dependency going away: the API answers 503 with Retry-After at once (no 500, no hang),
writes nothing half-way, and serves again, without a restart, once the dependency is back.

A request that gets no answer within HANG_LIMIT_S is a hang. The configured worst case is
about 1.1 s (two tries of the 0.5 s dependency timeout, then an open breaker answers at
once); the limit is several times that, so that a busy machine is not taken for a hang."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack, short_timeouts

HANG_LIMIT_S = 10.0


async def _post(client: httpx.AsyncClient) -> httpx.Response:
    async with asyncio.timeout(HANG_LIMIT_S):
        return await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())


async def _assert_outage_then_recovery(
    client: httpx.AsyncClient, stack: Stack, dependency: str, how: str, *, breaker_opens: bool = True
) -> None:
    assert (await _post(client)).status_code == 201
    with stack.outage(dependency, how):
        for _ in range(6):
            response = await _post(client)
            assert response.status_code == 503, response.text
            assert int(response.headers["Retry-After"]) >= 1
            body = response.json()
            assert body["error"] == "SERVICE_UNAVAILABLE"
            assert body["retryAfter"] == int(response.headers["Retry-After"])
            assert body["requestId"] == response.headers["X-Request-Id"]
        assert stack.resources is not None
        if breaker_opens:
            assert stack.resources.guards.states()[dependency] == "opened"

    deadline = time.monotonic() + 15
    while True:
        response = await _post(client)
        if response.status_code == 201:
            break
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, f"the service did not recover after the dependency returned: {response.text}"
        await asyncio.sleep(0.2)

    rows = await stack.row_blob_keys()
    assert len(rows) == 2, "exactly the drawing before and the one after the outage are stored"
    assert rows <= await stack.drawing_blob_keys(), "a row points at a missing blob"


pytestmark = short_timeouts


@pytest.mark.parametrize("stack", ["distributed"], indirect=True)
@pytest.mark.parametrize("how", ["down", "blackhole"])
@pytest.mark.parametrize("dependency", ["key-value store", "blob store", "database"])
async def test_a_distributed_dependency_outage_answers_503_then_recovers(
    client: httpx.AsyncClient, stack: Stack, dependency: str, how: str
) -> None:
    await _assert_outage_then_recovery(client, stack, dependency, how)


@pytest.mark.parametrize("stack", ["embedded"], indirect=True)
@pytest.mark.parametrize("dependency", ["blob store", "database"])
async def test_an_embedded_dependency_failure_answers_503_then_recovers(
    client: httpx.AsyncClient, stack: Stack, dependency: str
) -> None:
    # A SQLite file locked by another process still serves reads (WAL), and those successes
    # keep the breaker closed: each write waits out the busy timeout and answers 503.
    await _assert_outage_then_recovery(client, stack, dependency, "down", breaker_opens=dependency != "database")


@pytest.mark.parametrize("stack", ["distributed"], indirect=True)
async def test_readiness_reports_the_dependency_that_is_down(client: httpx.AsyncClient, stack: Stack) -> None:
    assert (await client.get("/readyz")).status_code == 200
    with stack.outage("key-value store"):
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    checks = response.json()["checks"]
    assert checks["key-value store"].startswith("down")
    assert checks["database"] == checks["blob store"] == "ok"
