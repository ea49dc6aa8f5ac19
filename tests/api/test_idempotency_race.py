from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack

# These tests are about once-only storage under contention, not about timeouts: the test
# stacks' short dependency timeout (0.5 s, for the outage tests) could turn a burst of 50
# requests on a busy 2-core machine into a legitimate 503, so they get the production one.
pytestmark = pytest.mark.settings(dependency_timeout_s=1.0)


async def test_fifty_concurrent_posts_with_one_key_store_one_drawing(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    responses = await asyncio.gather(
        *(client.post("/api/drawings", json=drawing_body(), headers=headers) for _ in range(50))
    )

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r.json() for r in responses if r.status_code == 201]
    assert created, "no request was answered 201"
    assert len({body["id"] for body in created}) == 1
    assert all(body == created[0] for body in created)
    assert await stack.drawing_rows() == 1
    assert len(await stack.drawing_blob_keys()) == 1


async def test_concurrent_posts_with_distinct_keys_are_all_stored(client: httpx.AsyncClient, stack: Stack) -> None:
    responses = await asyncio.gather(
        *(client.post("/api/drawings", json=drawing_body(), headers=submission_headers()) for _ in range(30))
    )

    assert [r.status_code for r in responses] == [201] * 30
    assert await stack.drawing_rows() == 30
    assert await stack.row_blob_keys() == await stack.drawing_blob_keys()
