from __future__ import annotations

import uuid

import httpx

from crowdsketch.ports.blob import BlobNotFound
from tests.support.drawings import drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack


async def test_a_drawing_is_stored_with_its_strokes_and_answered_201(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers(shape_id="circle")
    response = await client.post("/api/drawings", json=drawing_body("circle"), headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "shape", "qualityScore", "modelAgreement", "modelShape", "nextShape", "userStats"}
    assert body["shape"] == {"id": "circle", "name": "Circle"}
    assert 0.9 <= body["qualityScore"] <= 1
    assert body["modelAgreement"] is None and body["modelShape"] is None  # no model yet
    assert body["nextShape"]["id"] != "circle"
    assert body["userStats"] == {"total": 1, "today": 1}
    assert response.headers["X-Session-Id"] == headers["X-Session-Id"]
    assert await stack.drawing_rows() == 1
    assert await stack.row_blob_keys() == await stack.drawing_blob_keys()
    [key] = await stack.row_blob_keys()
    assert b'"strokes"' in await stack.stores.blobs.get(key)  # type: ignore[union-attr]


async def test_user_stats_count_the_sessions_drawings(client: httpx.AsyncClient) -> None:
    session_id = str(uuid.uuid4())
    for expected in (1, 2, 3):
        response = await client.post("/api/drawings", json=drawing_body("square", square_strokes()),
                                     headers=submission_headers(session_id, "square"))
        assert response.status_code == 201
        assert response.json()["userStats"] == {"total": expected, "today": expected}
    other = await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())
    assert other.json()["userStats"] == {"total": 1, "today": 1}


async def test_without_a_session_header_the_server_makes_one(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/drawings", json=drawing_body(), headers={"X-Idempotency-Key": "k:circle:1"})
    assert response.status_code == 201
    assert uuid.UUID(response.headers["X-Session-Id"])


async def test_duplicate_key_returns_the_first_response(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    first = await client.post("/api/drawings", json=drawing_body(), headers=headers)
    second = await client.post("/api/drawings", json=drawing_body(), headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert await stack.drawing_rows() == 1
    assert len(await stack.drawing_blob_keys()) == 1


async def test_a_key_reused_for_another_drawing_is_a_conflict(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    await client.post("/api/drawings", json=drawing_body(), headers=headers)
    response = await client.post("/api/drawings", json=drawing_body("square", square_strokes()), headers=headers)

    assert response.status_code == 409
    assert response.json()["details"][0]["field"] == "headers.X-Idempotency-Key"
    assert await stack.drawing_rows() == 1


async def test_a_lost_idempotency_record_still_yields_one_row(client: httpx.AsyncClient, stack: Stack) -> None:
    """If the key-value store forgets a key (flushed, failed over), the unique key on the row
    still turns a retry into a replay rather than a second drawing."""
    headers = submission_headers()
    first = await client.post("/api/drawings", json=drawing_body(), headers=headers)
    await stack.resources.kv.delete(f"idempotency:{headers['X-Idempotency-Key']}")  # type: ignore[union-attr]

    retry = await client.post("/api/drawings", json=drawing_body(), headers=headers)

    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert await stack.drawing_rows() == 1
    assert len(await stack.drawing_blob_keys()) == 1


async def test_a_scribbled_dot_scores_lower_than_a_clean_circle(client: httpx.AsyncClient) -> None:
    dot = [[[200, 200, 0], [201, 201, 10], [202, 200, 20]]]
    good = await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())
    bad = await client.post("/api/drawings", json=drawing_body(strokes=dot, duration_ms=20), headers=submission_headers())
    assert bad.json()["qualityScore"] < 0.3 < 0.9 < good.json()["qualityScore"]


async def test_deleting_a_blob_is_idempotent(client: httpx.AsyncClient, stack: Stack) -> None:
    blobs = stack.stores.blobs  # type: ignore[union-attr]
    await blobs.put("drawings/x/1.json", b"{}")
    await blobs.delete("drawings/x/1.json")
    await blobs.delete("drawings/x/1.json")
    try:
        await blobs.get("drawings/x/1.json")
    except BlobNotFound:
        pass
    else:
        raise AssertionError("a deleted blob was still readable")
