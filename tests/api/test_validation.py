"""Bad input to `POST /api/drawings`: each is refused with the envelope naming the field at
fault, and none leaves a drawing behind.

Every case sends an otherwise valid drawing (a clean circle, with a session and an
idempotency key) with one thing wrong, so a rule that stopped being enforced would show up
as a 201 and a stored row.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack

MAX_BODY_BYTES = 1024 * 1024

Request = Callable[[], dict[str, Any]]


# -- building the requests ----------------------------------------------------------------


def _json(body: Any) -> Request:
    return lambda: {"json": body}


def _raw(text: str | bytes) -> Request:
    content = text.encode() if isinstance(text, str) else text
    return lambda: {"content": content, "headers": {"Content-Type": "application/json"}}


def _changed(change: Callable[[dict[str, Any]], None]) -> Request:
    """A valid circle drawing with one change made to it."""
    body = drawing_body("circle")
    change(body)
    return _json(body)


def _stroke_data(**fields: Any) -> Request:
    return _changed(lambda body: body["strokeData"].update(fields))


def _canvas(**fields: Any) -> Request:
    return _changed(lambda body: body["strokeData"]["canvas"].update(fields))


def _without(*path: str) -> Request:
    def drop(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return _changed(drop)


def _strokes(strokes: list[list[list[Any]]]) -> Request:
    return _stroke_data(strokes=strokes)


def _raw_strokes(strokes: list[list[list[Any]]]) -> Request:
    """As raw JSON text: Python's json writes NaN and Infinity as the bare literals
    `NaN`, `Infinity` and `-Infinity`, which httpx's `json=` refuses to send."""
    body = drawing_body("circle", strokes=strokes)
    text = json.dumps(body)  # allow_nan=True: the literals go out as a careless client sends them
    assert "NaN" in text or "Infinity" in text
    return _raw(text)


def _line(points: int, start_t: int = 0) -> list[list[Any]]:
    return [[10 + (i % 380), 10 + (i // 380), start_t + i] for i in range(points)]


def _padded_valid_drawing(size: int) -> bytes:
    """A valid drawing, padded with JSON whitespace to exactly `size` bytes."""
    text = json.dumps(drawing_body("circle")).encode()
    assert len(text) < size
    return text[:-1] + b" " * (size - len(text)) + b"}"


async def _chunks(data: bytes, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk_size):
        yield data[start:start + chunk_size]


def _too_large_with_length() -> dict[str, Any]:
    return {"content": _padded_valid_drawing(MAX_BODY_BYTES + 1), "headers": {"Content-Type": "application/json"}}


def _too_large_streamed() -> dict[str, Any]:
    # An async generator has no length: httpx sends it chunked, without Content-Length.
    return {"content": _chunks(_padded_valid_drawing(MAX_BODY_BYTES + 1)), "headers": {"Content-Type": "application/json"}}


def _with_session(session_id: str) -> Request:
    def build() -> dict[str, Any]:
        return {"json": drawing_body("circle"), "headers": {"X-Session-Id": session_id}}

    return build


def _with_extra_top_level_field() -> Request:
    body = drawing_body("circle")
    body["comment"] = "hello"
    return _json(body)


# -- the table ----------------------------------------------------------------------------

BAD = (400, "VALIDATION_ERROR")
TOO_LARGE = (413, "PAYLOAD_TOO_LARGE")

CASES = [
    # canvas
    *[
        pytest.param(_canvas(**{side: value}), BAD, f"strokeData.canvas.{side}", id=f"canvas-{side}-{label}")
        for side in ("width", "height")
        for value, label in ((0, "zero"), (-1, "negative"), (4097, "4097"), (400.5, "float"), ("400", "string"))
    ],
    pytest.param(_canvas(depth=3), BAD, "strokeData.canvas.depth", id="canvas-unknown-field"),
    # strokes: how many, and how long
    pytest.param(_strokes([]), BAD, "strokeData.strokes", id="strokes-empty-list"),
    pytest.param(_strokes([_line(2, start_t=i * 10) for i in range(101)]), BAD, "strokeData.strokes", id="strokes-101"),
    pytest.param(_strokes([_line(5), []]), BAD, "strokeData.strokes[1]", id="stroke-empty"),
    pytest.param(_strokes([_line(5_001), _line(5_001, start_t=6_000)]), BAD, "strokeData.strokes",
                 id="points-10002-in-two-strokes"),
    pytest.param(_strokes([_line(10_001)]), BAD, "strokeData.strokes[0]", id="points-10001-in-one-stroke"),
    # points
    pytest.param(_strokes([[[1, 1, 0], [2, 2]]]), BAD, "strokeData.strokes[0][1][2]", id="point-two-numbers"),
    pytest.param(_strokes([[[1, 1, 0], [2, 2, 10, 4]]]), BAD, "strokeData.strokes[0][1]", id="point-four-numbers"),
    pytest.param(_strokes([[[1, 1, 0]], [[2, 2, 10], [3, 3, 20], ["4", 4, 30]]]), BAD, "strokeData.strokes[1][2][0]",
                 id="coordinate-string"),
    pytest.param(_strokes([[[1, 1, 0], [2, True, 10]]]), BAD, "strokeData.strokes[0][1][1]", id="coordinate-boolean"),
    pytest.param(_raw_strokes([[[1, 1, 0], [float("nan"), 2, 10]]]), BAD, "strokeData.strokes[0][1][0]",
                 id="coordinate-nan"),
    pytest.param(_raw_strokes([[[1, 1, 0], [2, float("inf"), 10]]]), BAD, "strokeData.strokes[0][1][1]",
                 id="coordinate-infinity"),
    pytest.param(_raw_strokes([[[1, 1, 0], [2, 2, float("-inf")]]]), BAD, "strokeData.strokes[0][1][2]",
                 id="t-minus-infinity"),
    pytest.param(_strokes([[[1, 1, 0], [2, 2, -1]]]), BAD, "strokeData.strokes[0][1][2]", id="t-negative"),
    pytest.param(_strokes([[[1, 1, 0], [2, 2, 10], [3, 3, 5]]]), BAD, "strokeData.strokes[0][2][2]",
                 id="t-decreasing-in-first-stroke"),
    pytest.param(_strokes([_line(3), [[5, 5, 100], [6, 6, 120], [7, 7, 119]]]), BAD, "strokeData.strokes[1][2][2]",
                 id="t-decreasing-in-second-stroke"),
    # the other strokeData fields
    pytest.param(_stroke_data(device="stylus"), BAD, "strokeData.device", id="device-stylus"),
    pytest.param(_stroke_data(duration_ms=-1), BAD, "strokeData.duration_ms", id="duration-negative"),
    pytest.param(_stroke_data(duration_ms="900"), BAD, "strokeData.duration_ms", id="duration-string"),
    pytest.param(_stroke_data(pressure=[0.5]), BAD, "strokeData.pressure", id="strokedata-unknown-field"),
    # missing fields
    pytest.param(_without("shapeId"), BAD, "shapeId", id="missing-shapeId"),
    pytest.param(_without("strokeData"), BAD, "strokeData", id="missing-strokeData"),
    pytest.param(_without("strokeData", "canvas"), BAD, "strokeData.canvas", id="missing-canvas"),
    pytest.param(_without("strokeData", "canvas", "height"), BAD, "strokeData.canvas.height", id="missing-canvas-height"),
    pytest.param(_without("strokeData", "strokes"), BAD, "strokeData.strokes", id="missing-strokes"),
    pytest.param(_without("strokeData", "duration_ms"), BAD, "strokeData.duration_ms", id="missing-duration_ms"),
    pytest.param(_without("strokeData", "device"), BAD, "strokeData.device", id="missing-device"),
    # the body as a whole
    pytest.param(_with_extra_top_level_field(), BAD, "comment", id="unknown-top-level-field"),
    pytest.param(_json([drawing_body("circle")]), BAD, "body", id="body-a-json-list"),
    pytest.param(_json("circle"), BAD, "body", id="body-a-json-string"),
    pytest.param(_raw('{"shapeId": "circle", "strokeData": {'), BAD, "body", id="body-invalid-json"),
    pytest.param(_raw(b"\xff\xfe not json"), BAD, "body", id="body-not-utf8"),
    # the shape and the session
    pytest.param(_changed(lambda body: body.update(shapeId="unicorn")), BAD, "shapeId", id="shape-unknown"),
    pytest.param(_changed(lambda body: body.update(shapeId="")), BAD, "shapeId", id="shape-empty"),
    pytest.param(_changed(lambda body: body.update(shapeId=7)), BAD, "shapeId", id="shape-a-number"),
    pytest.param(_with_session("has spaces"), BAD, "headers.X-Session-Id", id="session-id-with-spaces"),
    pytest.param(_with_session("x" * 65), BAD, "headers.X-Session-Id", id="session-id-too-long"),
    # size
    pytest.param(_too_large_with_length, TOO_LARGE, "body", id="body-1MiB+1-with-content-length"),
    pytest.param(_too_large_streamed, TOO_LARGE, "body", id="body-1MiB+1-streamed-chunked"),
]


@pytest.mark.parametrize(("request_for", "expected", "field"), CASES)
async def test_a_bad_drawing_is_refused_naming_the_field(
    client: httpx.AsyncClient, stack: Stack, request_for: Request, expected: tuple[int, str], field: str
) -> None:
    kwargs = request_for()
    kwargs["headers"] = {**submission_headers(), **kwargs.get("headers", {})}

    response = await client.post("/api/drawings", **kwargs)

    status, code = expected
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code, body
    assert [detail["field"] for detail in body["details"]] == [field], body
    assert all(isinstance(detail["message"], str) and detail["message"] for detail in body["details"])
    if status == 400:
        # The summary names the first fault, as the first detail does.
        assert body["message"] == f"{field}: {body['details'][0]['message']}"
    assert body["requestId"] and body["requestId"] == response.headers["X-Request-Id"]
    assert await stack.drawing_rows() == 0
    assert await stack.drawing_blob_keys() == set()


async def test_the_streamed_case_really_is_sent_without_a_length(client: httpx.AsyncClient) -> None:
    """Guards the table: the streamed 413 case must exercise the counting path, not the
    Content-Length check."""
    response = await client.post("/api/drawings", **_too_large_streamed())
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"


@pytest.mark.parametrize("streamed", [False, True], ids=["with-content-length", "streamed-chunked"])
async def test_a_body_of_exactly_the_limit_is_accepted(client: httpx.AsyncClient, stack: Stack, streamed: bool) -> None:
    data = _padded_valid_drawing(MAX_BODY_BYTES)
    content: bytes | AsyncIterator[bytes] = _chunks(data) if streamed else data
    headers = {**submission_headers(), "Content-Type": "application/json"}

    response = await client.post("/api/drawings", content=content, headers=headers)

    assert response.status_code == 201, response.text
    assert await stack.drawing_rows() == 1


async def test_every_fault_in_a_drawing_is_named(client: httpx.AsyncClient, stack: Stack) -> None:
    body = drawing_body("circle")
    body["strokeData"]["canvas"] = {"width": 0, "height": 5000}
    body["strokeData"]["device"] = "stylus"

    response = await client.post("/api/drawings", json=body, headers=submission_headers())

    assert response.status_code == 400
    fields = {detail["field"] for detail in response.json()["details"]}
    assert fields == {"strokeData.canvas.width", "strokeData.canvas.height", "strokeData.device"}
    assert await stack.drawing_rows() == 0


async def test_a_refused_drawing_does_not_use_up_its_idempotency_key(client: httpx.AsyncClient, stack: Stack) -> None:
    """A client that fixes its drawing and retries with the same key gets it stored."""
    headers = submission_headers()
    bad = copy.deepcopy(drawing_body("circle"))
    bad["strokeData"]["strokes"][0][2][2] = 0  # t goes back within the stroke

    refused = await client.post("/api/drawings", json=bad, headers=headers)
    fixed = await client.post("/api/drawings", json=drawing_body("circle"), headers=headers)

    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "strokeData.strokes[0][2][2]"
    assert fixed.status_code == 201, fixed.text
    assert await stack.drawing_rows() == 1
