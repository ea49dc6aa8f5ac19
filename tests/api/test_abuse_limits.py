"""Abuse limits: drawings per session and per address (429 + Retry-After, counted in the
key-value store, so they hold across server processes), requests in flight per address
(429 past the cap), and request bodies that trickle in (408, connection closed, the server
keeps serving everyone else)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from crowdsketch.app import create_app
from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack
from tests.support.waiting import DEADLINE_S, eventually


def limits(**values: object) -> pytest.MarkDecorator:
    """The limits under test."""
    return pytest.mark.settings(**values)


def _assert_rate_limited(response: httpx.Response, code: str, window_s: int) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == code
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= window_s
    assert body["retryAfter"] == retry_after
    assert body["requestId"] == response.headers["X-Request-Id"]


async def _post(client: httpx.AsyncClient, session_id: str | None = None) -> httpx.Response:
    headers = submission_headers(session_id)
    if session_id is None:
        del headers["X-Session-Id"]
    return await client.post("/api/drawings", json=drawing_body(), headers=headers)


# -- drawings per session and per address -------------------------------------------------


@limits(drawing_rate_per_session=3, drawing_rate_window_s=60)
async def test_a_session_past_its_limit_gets_429_and_other_sessions_go_on(client: httpx.AsyncClient, stack: Stack) -> None:
    session_id = str(uuid.uuid4())
    for _ in range(3):
        assert (await _post(client, session_id)).status_code == 201

    refused = await _post(client, session_id)
    _assert_rate_limited(refused, "RATE_LIMITED", 60)
    assert "session" in refused.json()["message"]
    assert (await _post(client, str(uuid.uuid4()))).status_code == 201
    assert await stack.drawing_rows() == 4, "the refused drawing was not stored"


@limits(drawing_rate_per_address=3, drawing_rate_per_session=0, drawing_rate_window_s=60)
async def test_an_address_past_its_limit_gets_429_whatever_the_session(client: httpx.AsyncClient, stack: Stack) -> None:
    session_id = str(uuid.uuid4())
    for _ in range(3):  # one session, whose own limit is off (0)
        assert (await _post(client, session_id)).status_code == 201

    for refused in (await _post(client, str(uuid.uuid4())), await _post(client, None)):
        _assert_rate_limited(refused, "RATE_LIMITED", 60)
        assert "address" in refused.json()["message"]
    assert await stack.drawing_rows() == 3


@limits(drawing_rate_per_session=2)
async def test_invalid_submissions_count_against_the_limit_too(client: httpx.AsyncClient) -> None:
    session_id = str(uuid.uuid4())
    for _ in range(2):
        bad = await client.post("/api/drawings", json={"shapeId": "circle"}, headers=submission_headers(session_id))
        assert bad.status_code == 400

    _assert_rate_limited(await _post(client, session_id), "RATE_LIMITED", 60)


@limits(drawing_rate_per_session=1, drawing_rate_window_s=1)
async def test_a_session_is_served_again_once_its_window_ends(client: httpx.AsyncClient) -> None:
    session_id = str(uuid.uuid4())
    assert (await _post(client, session_id)).status_code == 201
    _assert_rate_limited(await _post(client, session_id), "RATE_LIMITED", 1)

    async def served() -> httpx.Response | None:
        response = await _post(client, session_id)
        return None if response.status_code == 429 else response

    response = await eventually(served, "the window ended", interval_s=0.1)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("stack", ["distributed"], indirect=True)
@limits(drawing_rate_per_session=2, drawing_rate_per_address=4)
async def test_the_limits_hold_across_server_processes(client: httpx.AsyncClient, stack: Stack) -> None:
    """Two apps on one Redis stand for two `crowdsketch serve` processes behind a proxy."""
    other_app = create_app(stack.settings)
    async with other_app.router.lifespan_context(other_app):
        transport = httpx.ASGITransport(app=other_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            session_id = str(uuid.uuid4())
            assert (await _post(client, session_id)).status_code == 201
            assert (await _post(other, session_id)).status_code == 201
            _assert_rate_limited(await _post(client, session_id), "RATE_LIMITED", 60)

            # The address has made 3 attempts; a fourth from a new session is its last.
            assert (await _post(other, str(uuid.uuid4()))).status_code == 201
            _assert_rate_limited(await _post(client, str(uuid.uuid4())), "RATE_LIMITED", 60)


# -- requests in flight per address --------------------------------------------------------


@limits(max_in_flight_per_address=2)
async def test_requests_past_the_in_flight_cap_get_429_until_one_finishes(client: httpx.AsyncClient) -> None:
    release = asyncio.Event()
    reading = [asyncio.Event(), asyncio.Event()]
    text = json.dumps(drawing_body()).encode()

    async def held_body(started: asyncio.Event) -> AsyncIterator[bytes]:
        yield text[:10]
        started.set()  # the app is reading this body: the request is in flight
        await release.wait()
        yield text[10:]

    held = [
        asyncio.create_task(client.post("/api/drawings", content=held_body(started),
                                        headers={**submission_headers(), "Content-Type": "application/json"}))
        for started in reading
    ]
    async with asyncio.timeout(DEADLINE_S):
        await asyncio.gather(*(started.wait() for started in reading))

    refused = await client.get("/api/shapes")
    _assert_rate_limited(refused, "TOO_MANY_REQUESTS_IN_FLIGHT", 1)
    assert (await client.get("/healthz")).status_code == 200, "probes are not counted"

    release.set()
    assert [r.status_code for r in await asyncio.gather(*held)] == [201, 201]
    assert (await client.get("/api/shapes")).status_code == 200


# -- bodies that trickle in ----------------------------------------------------------------


@asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real uvicorn (httptools, as `crowdsketch serve` runs it) on a free
    loopback port; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, http="httptools", log_config=None, access_log=False, lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not server.started:
            assert not serving.done(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


async def _stalled_post(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A POST that announces 2,000 bytes of body, sends 11 of them, and stalls."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /api/drawings HTTP/1.1\r\nHost: testserver\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2000\r\n\r\n" + b'{"shapeId":'
    )
    await writer.drain()
    return reader, writer


@pytest.mark.parametrize("stack", ["embedded"], indirect=True)
@pytest.mark.settings(body_read_timeout_s=0.5, body_min_rate_bytes_s=1000)
async def test_a_body_that_stalls_gets_408_and_its_connection_is_closed(stack: Stack) -> None:
    async with _served(create_app(stack.settings)) as base_url:
        stalled = [await _stalled_post(base_url) for _ in range(3)]

        async with httpx.AsyncClient(base_url=base_url) as http:
            # While they stall, everyone else is served.
            assert (await http.get("/healthz")).status_code == 200
            created = await http.post("/api/drawings", json=drawing_body(), headers=submission_headers())
            assert created.status_code == 201, created.text

        for reader, writer in stalled:
            async with asyncio.timeout(DEADLINE_S):
                answer = await reader.read()  # to EOF: the server closes the connection
            writer.close()
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 "), answer
            assert b"connection: close" in head.lower()
            envelope = json.loads(body)
            assert envelope["error"] == "REQUEST_TIMEOUT"
            assert envelope["details"] == [{"field": "body", "message": envelope["message"]}]
