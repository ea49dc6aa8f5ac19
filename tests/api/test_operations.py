from __future__ import annotations

import logging

import httpx
import pytest

from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack


async def test_healthz_answers_while_the_process_runs(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_every_dependency(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "blob store": "ok", "key-value store": "ok"}
    assert response.json()["model"] == "none"  # said, not judged: a new stack takes drawings before its model


async def test_metrics_count_requests_by_route_and_status_and_show_breakers(client: httpx.AsyncClient) -> None:
    await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())
    text = (await client.get("/metrics")).text
    assert 'crowdsketch_http_requests_total{method="POST",route="/api/drawings",status="201"}' in text
    assert "crowdsketch_http_request_duration_seconds_bucket" in text
    assert 'crowdsketch_dependency_breaker_state{dependency="blob store"}' in text


async def test_docs_and_the_openapi_document_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    schema = (await client.get("/openapi.json")).json()
    assert "/api/drawings" in schema["paths"]
    assert "/api/shapes/next" in schema["paths"]


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/shapes")
    assert len(response.headers["X-Request-Id"]) >= 8
    mine = await client.get("/api/shapes", headers={"X-Request-Id": "trace-12345678"})
    assert mine.headers["X-Request-Id"] == "trace-12345678"


async def test_an_unknown_route_gets_the_error_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "NOT_FOUND"
    assert body["requestId"] == response.headers["X-Request-Id"]


@pytest.mark.parametrize("stack", ["embedded"], indirect=True)
async def test_an_unexpected_error_is_a_logged_500_with_a_generic_message(
    client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("secret internal detail")

    assert stack.resources is not None
    monkeypatch.setattr(stack.resources.collection.catalog, "active_shape", broken)
    with caplog.at_level(logging.ERROR, logger="crowdsketch.errors"):
        response = await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())

    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "INTERNAL_ERROR"
    assert "secret" not in body["message"]
    assert body["requestId"] == response.headers["X-Request-Id"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert "secret internal detail" in str(record.exc_info[1])
