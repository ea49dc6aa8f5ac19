"""Direct uploads on both stacks: ask for an upload, PUT the strokes where it says (this app on
the embedded stack, the S3 API through a pre-signed URL on the distributed one), finalize
with `POST /api/drawings {shapeId, uploadId}`; and what is refused on the way, and what the
doctor does with an upload never finalized."""

from __future__ import annotations

import base64

import asyncio
import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from crowdsketch.collection import uploads
from crowdsketch.doctor import Kind, Outcome, diagnose, repair
from tests.support.drawings import drawing_body, square_strokes, stroke_data, submission_headers
from tests.support.stacks import Stack

UPLOAD_KEYS = {"uploadId", "uploadUrl", "method", "headers", "expiresAt", "blobKey"}


def _strokes(**overrides: Any) -> bytes:
    return json.dumps(stroke_data(**overrides)).encode()


async def _ask(client: httpx.AsyncClient, headers: dict[str, str], content: bytes, shape_id: str = "circle",
               **body: Any) -> httpx.Response:
    request = {"shapeId": shape_id, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), **body}
    return await client.post("/api/drawings/uploads", json=request, headers=headers)


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], content: bytes, shape_id: str = "circle") -> dict:
    response = await _ask(client, headers, content, shape_id)
    assert response.status_code == 201, response.text
    return response.json()


async def _put(client: httpx.AsyncClient, upload: dict, content: bytes, **headers: str) -> httpx.Response:
    """The browser's PUT: to this app through the test's client, or to the S3 API itself."""
    all_headers = {**upload["headers"], **headers}
    if upload["uploadUrl"].startswith("http://testserver/"):
        return await client.put(upload["uploadUrl"], content=content, headers=all_headers)
    # Not kept alive: the stack's TCP proxy would hold the idle connection past the test.
    async with httpx.AsyncClient() as http:
        return await http.put(upload["uploadUrl"], content=content, headers={**all_headers, "Connection": "close"})


async def _finalize(client: httpx.AsyncClient, headers: dict[str, str], upload: dict,
                    shape_id: str = "circle") -> httpx.Response:
    return await client.post("/api/drawings", json={"shapeId": shape_id, "uploadId": upload["uploadId"]},
                             headers=headers)


async def _stored(stack: Stack, key: str) -> bytes | None:
    """The object at `key`, if there is one (listed first: a fresh stack has no blob folder)."""
    if key not in await stack.drawing_blob_keys():
        return None
    return await stack.stores.blobs.get(key)


def _shape_of(value: Any) -> Any:
    """A JSON body's keys, all the way down: what two bodies must share to be the same answer."""
    if isinstance(value, dict):
        return {key: _shape_of(item) for key, item in value.items()}
    return type(value).__name__ if value is not None else None


# The app's own PUT exists on the embedded stack; on S3 the store checks its PUTs (a signed
# length, type and checksum), which moto does not.
EMBEDDED_ONLY = pytest.mark.parametrize("stack", ["embedded"], indirect=True)


# Handing out an upload


async def test_an_upload_is_handed_out_with_where_and_how_to_put_it(client: httpx.AsyncClient, stack: Stack) -> None:
    content = _strokes()
    response = await _ask(client, {}, content)

    assert response.status_code == 201, response.text
    upload = response.json()
    assert set(upload) == UPLOAD_KEYS and upload["method"] == "PUT"
    expected_headers = {"Content-Type": "application/json"}
    if stack.mode == "distributed":  # S3 itself refuses other bytes than the hash announced
        expected_headers["x-amz-checksum-sha256"] = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert upload["headers"] == expected_headers
    assert ("x-amz-checksum-sha256" in upload["uploadUrl"]) == (stack.mode == "distributed")
    session_id = response.headers["X-Session-Id"]
    assert uuid.UUID(session_id)
    drawing_id = uuid.UUID(upload["blobKey"].removeprefix("drawings/circle/").removesuffix(".json"))
    assert upload["blobKey"] == f"drawings/circle/{drawing_id}.json"
    assert upload["expiresAt"].endswith("Z")
    assert 590 <= (datetime.fromisoformat(upload["expiresAt"]) - datetime.now(UTC)).total_seconds() <= 601
    if stack.mode == "embedded":
        assert upload["uploadUrl"].startswith(f"http://testserver/api/drawings/uploads/{upload['uploadId']}?")
    else:
        assert upload["uploadUrl"].startswith(f"{stack.settings.aws_endpoint_url}/crowdsketch-test/{upload['blobKey']}?")
        assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in upload["uploadUrl"]
    assert await _stored(stack, upload["blobKey"]) is None  # nothing until the PUT


@pytest.mark.parametrize(("change", "field"), [
    ({"size": 1}, "size"),
    ({"size": 4 * 1024 * 1024 + 1}, "size"),
    ({"size": "120"}, "size"),
    ({"size": 12.5}, "size"),
    ({"sha256": "A" * 64}, "sha256"),
    ({"sha256": "0" * 63}, "sha256"),
    ({"shapeId": "unicorn"}, "shapeId"),
    ({"strokeData": {}}, "strokeData"),
])
async def test_a_bad_request_for_an_upload_is_400_naming_the_field(client: httpx.AsyncClient, change: dict,
                                                                    field: str) -> None:
    request = {"shapeId": "circle", "size": 100, "sha256": "0" * 64, **change}
    response = await client.post("/api/drawings/uploads", json=request, headers=submission_headers())

    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == field


@pytest.mark.settings(consent_required=True)
async def test_an_upload_needs_consent(client: httpx.AsyncClient) -> None:
    response = await _ask(client, submission_headers(), _strokes())
    assert response.status_code == 403 and response.json()["error"] == "CONSENT_REQUIRED"


@pytest.mark.settings(drawing_rate_per_session=2, drawing_rate_window_s=60)
async def test_uploads_count_against_the_drawing_limit(client: httpx.AsyncClient) -> None:
    headers = submission_headers()
    statuses = [(await _ask(client, headers, _strokes())).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


@pytest.mark.settings(drawing_rate_per_session=2, drawing_rate_window_s=60)
async def test_a_direct_drawing_counts_once_against_the_limit(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    for n in range(2):  # two drawings by direct upload: each counted when its upload is asked for
        content = _strokes(duration_ms=1000 + n)
        upload = await _upload(client, {**headers, "X-Idempotency-Key": f"{headers['X-Session-Id']}:circle:{n}"}, content)
        assert (await _put(client, upload, content)).status_code == 200
        finalized = await _finalize(client, {**headers, "X-Idempotency-Key": f"{headers['X-Session-Id']}:circle:{n}"}, upload)
        assert finalized.status_code == 201, finalized.text
    assert (await _ask(client, headers, _strokes())).status_code == 429  # the third is one too many
    assert await stack.drawing_rows() == 2


# The PUT to this app (embedded stack)


@EMBEDDED_ONLY
async def test_the_apps_put_takes_only_what_was_declared(client: httpx.AsyncClient, stack: Stack) -> None:
    content = _strokes()
    upload = await _upload(client, submission_headers(), content)
    url = upload["uploadUrl"]

    too_short = await _put(client, upload, content[:-1])
    assert too_short.status_code == 400 and too_short.json()["details"][0]["field"] == "body"
    tampered = await _put(client, upload, content.replace(b"mouse", b"touch"))
    assert tampered.status_code == 400 and tampered.json()["details"][0]["field"] == "sha256"
    typed = await _put(client, upload, content, **{"Content-Type": "text/plain"})
    assert typed.status_code == 400 and typed.json()["details"][0]["field"] == "headers.Content-Type"
    assert await _stored(stack, upload["blobKey"]) is None

    base, query = url.split("?")
    signature = parse_qs(query)["signature"][0]
    other_signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = f"{base}?{urlencode({'shapeId': 'circle', 'signature': other_signature})}"
    for wrong in (forged, url.replace("shapeId=circle", "shapeId=square"), base,
                  url.replace(upload["uploadId"], upload["uploadId"][::-1])):
        response = await client.put(wrong, content=content, headers=upload["headers"])
        assert response.status_code == 404 and response.json()["error"] == "UPLOAD_NOT_FOUND", wrong

    stored = await _put(client, upload, content)
    assert (stored.status_code, stored.content) == (200, b"")
    assert await _stored(stack, upload["blobKey"]) == content


@EMBEDDED_ONLY
async def test_the_apps_put_url_expires(client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _strokes()
    upload = await _upload(client, submission_headers(), content)
    monkeypatch.setattr(uploads, "_clock", lambda: time.time() + 601)

    response = await _put(client, upload, content)
    assert response.status_code == 410 and response.json()["error"] == "UPLOAD_EXPIRED"
    assert await _stored(stack, upload["blobKey"]) is None


@EMBEDDED_ONLY
@pytest.mark.settings(max_body_bytes=64 * 1024, max_upload_bytes=256 * 1024)
async def test_the_apps_put_has_the_upload_limit_not_the_body_limit(client: httpx.AsyncClient, stack: Stack) -> None:
    content = b"x" * (200 * 1024)
    upload = await _upload(client, submission_headers(), content)
    assert (await _put(client, upload, content)).status_code == 200

    too_large = await client.put(upload["uploadUrl"], content=b"x" * (256 * 1024 + 1), headers=upload["headers"])
    assert too_large.status_code == 413
    inline = await client.post("/api/drawings", content=b"x" * (64 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert inline.status_code == 413


# The finalize


async def test_upload_put_finalize_stores_the_drawing_as_inline(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    content = _strokes()
    upload = await _upload(client, headers, content)
    assert (await _put(client, upload, content)).status_code == 200

    response = await _finalize(client, headers, upload)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] in upload["blobKey"]
    assert body["shape"] == {"id": "circle", "name": "Circle"} and body["userStats"] == {"total": 1, "today": 1}
    assert response.headers["X-Session-Id"] == headers["X-Session-Id"]
    assert await stack.drawing_rows() == 1
    assert await stack.row_blob_keys() == await stack.drawing_blob_keys() == {upload["blobKey"]}
    assert await _stored(stack, upload["blobKey"]) == content
    inline = await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())
    assert inline.status_code == 201
    assert _shape_of(body) == _shape_of(inline.json())
    assert body["qualityScore"] == inline.json()["qualityScore"]


@pytest.mark.parametrize(("stored", "field"), [
    (lambda content: content.replace(b"mouse", b"touch"), "sha256"),
    (lambda content: content + b" ", "size"),
])
async def test_tampered_content_is_400_and_deleted(client: httpx.AsyncClient, stack: Stack, stored: Any,
                                                    field: str) -> None:
    headers = submission_headers()
    content = _strokes()
    upload = await _upload(client, headers, content)
    other = stored(content)
    if stack.mode == "distributed" and len(other) == len(content):
        # moto takes it: it does not check the signed x-amz-checksum-sha256 (S3 and MinIO
        # refuse the PUT); the finalize is the check that holds everywhere.
        assert (await _put(client, upload, other)).status_code == 200
    else:
        await stack.stores.blobs.put(upload["blobKey"], other)  # past this app's own PUT, which refuses it

    response = await _finalize(client, headers, upload)

    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == field
    assert await _stored(stack, upload["blobKey"]) is None
    assert await stack.drawing_rows() == 0


async def test_invalid_strokes_are_refused_as_inline_and_deleted(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    content = _strokes(canvas={"width": 0, "height": 400}, duration_ms="slow")
    upload = await _upload(client, headers, content)
    assert (await _put(client, upload, content)).status_code == 200

    response = await _finalize(client, headers, upload)
    inline = await client.post("/api/drawings", json={"shapeId": "circle", "strokeData": json.loads(content)},
                               headers=submission_headers())

    assert response.status_code == inline.status_code == 400, response.text
    assert response.json()["details"] == inline.json()["details"]
    assert await _stored(stack, upload["blobKey"]) is None
    assert await stack.drawing_rows() == 0


async def test_a_finalize_before_the_put_is_400(client: httpx.AsyncClient, stack: Stack) -> None:
    # A blob folder as any stack has once it has stored something (or answered /readyz): a
    # file store without one is a store that is down.
    await stack.stores.blobs.ping()
    headers = submission_headers()
    upload = await _upload(client, headers, _strokes())

    response = await _finalize(client, headers, upload)

    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "uploadId"
    assert await stack.drawing_rows() == 0


async def test_an_expired_upload_is_410(client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    headers = submission_headers()
    content = _strokes()
    upload = await _upload(client, headers, content)
    assert (await _put(client, upload, content)).status_code == 200
    monkeypatch.setattr(uploads, "_clock", lambda: time.time() + 601)

    response = await _finalize(client, headers, upload)

    assert response.status_code == 410, response.text
    assert response.json()["error"] == "UPLOAD_EXPIRED"
    assert await stack.drawing_rows() == 0


async def test_an_unknown_forged_or_anothers_upload_is_404(client: httpx.AsyncClient, stack: Stack) -> None:
    headers = submission_headers()
    content = _strokes()
    upload = await _upload(client, headers, content)
    assert (await _put(client, upload, content)).status_code == 200
    forged = {"uploadId": upload["uploadId"][:-1] + ("A" if upload["uploadId"][-1] != "A" else "B")}

    attempts = [
        await _finalize(client, headers, {"uploadId": "no-such-upload"}),
        await _finalize(client, headers, forged),
        await _finalize(client, submission_headers(), upload),  # another session
        await _finalize(client, headers, upload, shape_id="square"),  # another shape
    ]

    assert [(r.status_code, r.json()["error"]) for r in attempts] == [(404, "UPLOAD_NOT_FOUND")] * 4
    assert await stack.drawing_rows() == 0
    assert await _stored(stack, upload["blobKey"]) == content  # still its own session's to finalize


async def test_the_replay_of_a_finalize_replays_also_after_the_expiry(
    client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = submission_headers()
    content = _strokes()
    upload = await _upload(client, headers, content)
    assert (await _put(client, upload, content)).status_code == 200

    first = await _finalize(client, headers, upload)
    again = await _finalize(client, headers, upload)
    monkeypatch.setattr(uploads, "_clock", lambda: time.time() + 601)
    late = await _finalize(client, headers, upload)

    assert first.status_code == again.status_code == late.status_code == 201, (again.text, late.text)
    assert again.json() == late.json() == first.json()
    assert await stack.drawing_rows() == 1
    assert await _stored(stack, upload["blobKey"]) == content


async def test_twenty_concurrent_finalizes_with_one_key_store_one_drawing(client: httpx.AsyncClient,
                                                                          stack: Stack) -> None:
    headers = submission_headers()
    content = _strokes(strokes=square_strokes())
    upload = await _upload(client, headers, content, "square")
    assert (await _put(client, upload, content)).status_code == 200

    responses = await asyncio.gather(*(_finalize(client, headers, upload, "square") for _ in range(20)))

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(body == created[0] for body in created)
    assert await stack.drawing_rows() == 1
    assert await stack.row_blob_keys() == await stack.drawing_blob_keys() == {upload["blobKey"]}


async def test_one_upload_finalized_under_two_keys_is_one_drawing_and_keeps_its_blob(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    """The row's id is the upload's: a second finalize under another key cannot store a
    second row, and must not take the first one's blob away with its failed insert."""
    session_id = str(uuid.uuid4())
    content = _strokes()
    upload = await _upload(client, submission_headers(session_id), content)
    assert (await _put(client, upload, content)).status_code == 200

    first = await _finalize(client, submission_headers(session_id), upload)
    second = await _finalize(client, submission_headers(session_id), upload)

    assert first.status_code == 201, first.text
    assert second.status_code in (201, 409), second.text
    assert await stack.drawing_rows() == 1
    assert await _stored(stack, upload["blobKey"]) == content


# An upload never finalized


async def test_an_upload_never_finalized_is_removed_by_the_doctor_after_the_grace(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    content = _strokes()
    upload = await _upload(client, submission_headers(), content)
    assert (await _put(client, upload, content)).status_code == 200

    young = await diagnose(stack.stores, grace_s=600)
    assert young.healthy and (await repair(stack.stores, young)).actions == ()
    assert await _stored(stack, upload["blobKey"]) == content

    old = await diagnose(stack.stores, grace_s=0)
    assert [(f.kind, f.subject) for f in old.problems] == [(Kind.ORPHAN_DRAWING_BLOB, upload["blobKey"])]
    result = await repair(stack.stores, old)
    assert [(a.outcome, a.action) for a in result.actions] == [(Outcome.REPAIRED, "deleted")]
    assert await _stored(stack, upload["blobKey"]) is None
    assert (await diagnose(stack.stores, grace_s=0)).healthy
