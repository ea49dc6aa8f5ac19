from __future__ import annotations

import asyncio

import httpx

from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack


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
