"""Reading one drawing with its strokes, flagging, unflagging and deleting, each audited."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.admin.seed import drawing_row, ids, insert_drawings
from tests.support.drawings import drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack, short_timeouts


async def _submit(client: httpx.AsyncClient, shape: str = "square", session_id: str | None = None) -> str:
    body = drawing_body(shape, square_strokes(), device="touch")
    response = await client.post("/api/drawings", json=body, headers=submission_headers(session_id, shape))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _audit(client: httpx.AsyncClient, action: str) -> list[dict[str, Any]]:
    response = await client.get("/api/admin/audit", params={"action": action})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["error"] == "NOT_FOUND"
    assert body["requestId"] == response.headers["X-Request-Id"]


async def test_the_detail_has_the_metadata_and_the_strokes(admin_client: httpx.AsyncClient) -> None:
    session_id = str(uuid.uuid4())
    drawing_id = await _submit(admin_client, "square", session_id)

    response = await admin_client.get(f"/api/admin/drawings/{drawing_id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == drawing_id
    assert body["sessionId"] == session_id
    assert body["shape"] == {"id": "square", "name": "Square"}
    assert body["strokeCount"] == 1 and body["pointCount"] == 5
    assert body["device"] == "touch" and body["source"] == "game" and body["flagged"] is False
    assert "blobKey" not in body
    sent = drawing_body("square", square_strokes(), device="touch")["strokeData"]
    assert body["strokeData"]["strokes"] == sent["strokes"]
    assert body["strokeData"]["canvas"] == sent["canvas"]
    assert body["strokeData"]["device"] == "touch"


async def test_unknown_drawings_answer_404_to_every_operation(admin_client: httpx.AsyncClient) -> None:
    missing = f"/api/admin/drawings/{uuid.uuid4()}"
    _assert_not_found(await admin_client.get(missing))
    _assert_not_found(await admin_client.post(f"{missing}/flag", json={"reason": "blurry"}))
    _assert_not_found(await admin_client.post(f"{missing}/unflag"))
    _assert_not_found(await admin_client.delete(missing))
    assert await _audit(admin_client, "flag") == []


async def test_flag_then_unflag_shows_in_the_lists_and_the_audit_log(admin_client: httpx.AsyncClient) -> None:
    drawing_id = await _submit(admin_client)
    other_id = await _submit(admin_client)

    flagged = await admin_client.post(f"/api/admin/drawings/{drawing_id}/flag", json={"reason": "a scribble"})
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["flagged"] is True and flagged.json()["flagReason"] == "a scribble"
    listed = (await admin_client.get("/api/admin/drawings", params={"flagged": "true"})).json()
    assert [item["id"] for item in listed["items"]] == [drawing_id] and listed["total"] == 1
    [entry] = await _audit(admin_client, "flag")
    assert entry["targetType"] == "drawing" and entry["targetId"] == drawing_id
    assert entry["details"]["reason"] == "a scribble"
    assert entry["adminEmail"] == "curator@example.org"

    unflagged = await admin_client.post(f"/api/admin/drawings/{drawing_id}/unflag")
    assert unflagged.status_code == 200, unflagged.text
    assert unflagged.json()["flagged"] is False and unflagged.json()["flagReason"] is None
    detail = (await admin_client.get(f"/api/admin/drawings/{drawing_id}")).json()
    assert detail["flagged"] is False
    listed = (await admin_client.get("/api/admin/drawings", params={"flagged": "false"})).json()
    assert {item["id"] for item in listed["items"]} == {drawing_id, other_id}
    [entry] = await _audit(admin_client, "unflag")
    assert entry["targetId"] == drawing_id and entry["details"]["previousReason"] == "a scribble"


async def test_a_flag_reason_is_required_and_bounded(admin_client: httpx.AsyncClient) -> None:
    drawing_id = await _submit(admin_client)
    for body, field in [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 501}, "reason"),
                        ({"reason": "ok", "extra": 1}, "extra")]:
        response = await admin_client.post(f"/api/admin/drawings/{drawing_id}/flag", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"] == field
    assert (await admin_client.post(f"/api/admin/drawings/{drawing_id}/flag", json={"reason": "x" * 500})).status_code == 200


async def test_bulk_flag_flags_the_known_ids_and_reports_the_unknown(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rows = await insert_drawings(stack, [drawing_row() for _ in range(5)], blobs=False)
    chosen = ids(rows[:3])
    unknown = str(uuid.uuid4())

    response = await admin_client.post(
        "/api/admin/drawings/flag", json={"ids": [*chosen, unknown, chosen[0]], "reason": "duplicates"}
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"flagged": 3, "unknownIds": [unknown]}
    listed = (await admin_client.get("/api/admin/drawings", params={"flagged": "true"})).json()
    assert {item["id"] for item in listed["items"]} == set(chosen)
    assert {item["flagReason"] for item in listed["items"]} == {"duplicates"}
    [entry] = await _audit(admin_client, "flag")
    assert entry["details"]["count"] == 3 and set(entry["details"]["ids"]) == set(chosen)


async def test_bulk_flag_takes_1_to_1000_ids(admin_client: httpx.AsyncClient) -> None:
    for ids_sent in ([], [str(uuid.uuid4()) for _ in range(1001)], ["not-a-uuid"]):
        response = await admin_client.post("/api/admin/drawings/flag", json={"ids": ids_sent, "reason": "r"})
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"].startswith("ids")
    many = [str(uuid.uuid4()) for _ in range(1000)]
    response = await admin_client.post("/api/admin/drawings/flag", json={"ids": many, "reason": "r"})
    assert response.status_code == 200
    assert response.json()["flagged"] == 0 and len(response.json()["unknownIds"]) == 1000


async def test_delete_removes_the_row_and_the_blob(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    drawing_id = await _submit(admin_client)
    kept_id = await _submit(admin_client)
    [kept_key] = [key for key in await stack.row_blob_keys() if kept_id in key]

    response = await admin_client.delete(f"/api/admin/drawings/{drawing_id}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    _assert_not_found(await admin_client.get(f"/api/admin/drawings/{drawing_id}"))
    assert await stack.drawing_rows() == 1
    assert await stack.drawing_blob_keys() == await stack.row_blob_keys() == {kept_key}
    [entry] = await _audit(admin_client, "delete")
    assert entry["targetId"] == drawing_id and entry["details"]["shape"] == "square"
    _assert_not_found(await admin_client.delete(f"/api/admin/drawings/{drawing_id}"))


@short_timeouts
async def test_delete_with_the_blob_store_down_answers_503_and_keeps_the_drawing_whole(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    drawing_id = await _submit(admin_client)
    keys_before = await stack.row_blob_keys()

    with stack.outage("blob store"):
        response = await admin_client.delete(f"/api/admin/drawings/{drawing_id}")
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "SERVICE_UNAVAILABLE"
        assert int(response.headers["Retry-After"]) >= 1

    assert await stack.drawing_rows() == 1
    assert await stack.row_blob_keys() == keys_before == await stack.drawing_blob_keys()
    detail = await admin_client.get(f"/api/admin/drawings/{drawing_id}")
    assert detail.status_code == 200 and detail.json()["strokeData"]["strokes"] == square_strokes()
    assert await _audit(admin_client, "delete") == []
    # Once the store is back the same request succeeds.
    assert (await admin_client.delete(f"/api/admin/drawings/{drawing_id}")).status_code == 204
    assert await stack.drawing_blob_keys() == set()


async def test_curation_needs_the_csrf_token(admin_client: httpx.AsyncClient) -> None:
    drawing_id = await _submit(admin_client)
    token = admin_client.headers.pop("X-CSRF-Token")
    response = await admin_client.delete(f"/api/admin/drawings/{drawing_id}")
    admin_client.headers["X-CSRF-Token"] = token
    assert response.status_code == 403
    assert (await admin_client.get(f"/api/admin/drawings/{drawing_id}")).status_code == 200
