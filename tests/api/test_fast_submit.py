"""`POST /api/drawings` as the fast layer answers it (crowdsketch/collection/fast_submit.py)
and as the route behind it answers it: a client must not be able to tell them apart.

Each parity test sends the same requests to the app as `client` builds it and to the same
app built without the fast layer (`route_only`), each with sessions and keys of its own, and
compares what comes back: status, the JSON body and the headers a client reads. Only what
the server makes afresh each time (drawing ids, a new session id, the request id, the next
prompt, which depends on what was drawn before) is compared by its form instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crowdsketch.app import create_app
from crowdsketch.collection import fast_submit
from crowdsketch.collection.fast_submit import FastSubmitMiddleware
from crowdsketch.inference.fast_classify import FastClassifyMiddleware
from crowdsketch.settings import Role
from tests.support.drawings import drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack, make_settings

# A request, made for one run's own session id.
Step = Callable[[str], dict[str, Any]]


@pytest.fixture
async def route_only(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The app as the `client` fixture builds it, less the fast layer: every drawing reaches
    the FastAPI route. (The middleware stack is built on the first request.)"""
    app = create_app(stack.settings)
    kept = [m for m in app.user_middleware if m.cls is not FastSubmitMiddleware]
    assert len(kept) == len(app.user_middleware) - 1
    app.user_middleware = kept
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statuses the fast layer answered itself with a drawing (not via the route): proof
    that a parity test did exercise it."""
    answered: list[int] = []
    original = fast_submit._json

    async def counting(send: Any, status: int, content: Any, session_id: str) -> None:
        answered.append(status)
        await original(send, status, content, session_id)

    monkeypatch.setattr(fast_submit, "_json", counting)
    return answered


# -- the requests -----------------------------------------------------------------------------


def _keyed(session_id: str, key: str) -> dict[str, str]:
    return submission_headers(session_id, key=f"{session_id}:{key}")


def _raw(body: Any, content_type: str | None, headers: dict[str, str]) -> dict[str, Any]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    typed = {"Content-Type": content_type} if content_type else {}
    return {"content": content, "headers": {**headers, **typed}}


def _with(**fields: Any) -> dict[str, Any]:
    return {**drawing_body(), **fields}


def _strokes(strokes: list[list[list[Any]]]) -> dict[str, Any]:
    return drawing_body(strokes=strokes)


def _padded(size: int) -> bytes:
    """A valid circle drawing, padded with JSON whitespace to exactly `size` bytes."""
    text = json.dumps(drawing_body()).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


async def _streamed(data: bytes) -> AsyncIterator[bytes]:
    """Sent chunked, without Content-Length: only the counting receive can refuse it."""
    for start in range(0, len(data), 64 * 1024):
        yield data[start:start + 64 * 1024]


# name, the status both answer, the request
SEQUENCE: list[tuple[str, int, Step]] = [
    ("valid", 201, lambda s: {"json": drawing_body(), "headers": _keyed(s, "a")}),
    ("replay", 201, lambda s: {"json": drawing_body(), "headers": _keyed(s, "a")}),
    ("same-key-other-drawing", 409, lambda s: {"json": drawing_body("square", square_strokes()), "headers": _keyed(s, "a")}),
    ("no-session-header", 201, lambda s: {"json": drawing_body(), "headers": {"X-Idempotency-Key": f"{s}:b"}}),
    ("no-idempotency-key", 201, lambda s: {"json": drawing_body("square", square_strokes()), "headers": {"X-Session-Id": s}}),
    ("json-with-charset", 201, lambda s: _raw(drawing_body(), "Application/JSON; charset=utf-8", _keyed(s, "c"))),
    ("no-content-type", 400, lambda s: _raw(drawing_body(), None, _keyed(s, "d"))),
    ("unknown-shape", 400, lambda s: {"json": drawing_body("unicorn"), "headers": _keyed(s, "e")}),
    ("t-goes-back", 400, lambda s: {"json": _strokes([[[1, 1, 0], [2, 2, 10], [3, 3, 5]]]), "headers": _keyed(s, "f")}),
    ("coordinate-a-string", 400, lambda s: {"json": _strokes([[[1, 1, 0], ["2", 2, 10]]]), "headers": _keyed(s, "g")}),
    ("strokeData-null", 400, lambda s: {"json": _with(strokeData=None), "headers": _keyed(s, "h")}),
    ("not-json", 400, lambda s: _raw(b'{"shapeId": "circle", "strokeData": {', "application/json", _keyed(s, "i"))),
    ("nan-literal", 400, lambda s: _raw(json.dumps(_strokes([[[1, 1, 0], [float("nan"), 2, 10]]])).encode(),
                                       "application/json", _keyed(s, "j"))),
    ("a-json-list", 400, lambda s: {"json": [drawing_body()], "headers": _keyed(s, "k")}),
    ("text-plain", 400, lambda s: _raw(drawing_body(), "text/plain", _keyed(s, "l"))),
    ("bad-session-id", 400, lambda s: {"json": drawing_body(), "headers": _keyed("has spaces", "m")}),
    ("key-over-200", 400, lambda s: {"json": drawing_body(), "headers": {"X-Session-Id": s, "X-Idempotency-Key": "k" * 201}}),
    ("strokes-and-upload", 400, lambda s: {"json": _with(uploadId="u-1"), "headers": _keyed(s, "n")}),
    ("upload-id-snake-case", 400, lambda s: {"json": _with(upload_id="u-1"), "headers": _keyed(s, "o")}),
    ("unknown-field", 400, lambda s: {"json": _with(comment="hello"), "headers": _keyed(s, "p")}),
    ("declared-over-limit", 413, lambda s: _raw(_padded(1024 * 1024 + 1), "application/json", _keyed(s, "q"))),
    ("streamed-over-limit", 413, lambda s: {"content": _streamed(_padded(1024 * 1024 + 1)),
                                            "headers": {**_keyed(s, "r"), "Content-Type": "application/json"}}),
    ("streamed-at-the-limit", 201, lambda s: {"content": _streamed(_padded(1024 * 1024)),
                                              "headers": {**_keyed(s, "t"), "Content-Type": "application/json"}}),
]
STORED_PER_RUN = 5  # valid, no-session-header, no-idempotency-key, json-with-charset, streamed-at-the-limit


def _observed(response: httpx.Response) -> dict[str, Any]:
    """What a client reads in an answer, with what the server makes afresh replaced by its form."""
    assert len(response.headers["X-Request-Id"]) >= 8
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        if "requestId" in body:
            assert body.pop("requestId") == response.headers["X-Request-Id"]
        if "id" in body:
            uuid.UUID(body["id"])
            body["id"] = "<drawing id>"
        if "nextShape" in body:
            assert set(body["nextShape"]) == {"id", "name"}
            body["nextShape"] = "<next prompt>"
    session = response.headers.get("X-Session-Id")
    if session is not None and session == response.request.headers.get("X-Session-Id"):
        session = "<the request's>"
    elif session is not None:
        uuid.UUID(session)
        session = "<made by the server>"
    headers = {name: response.headers.get(name) for name in ("Content-Type", "Retry-After", "Connection")}
    return {"status": response.status_code, "body": body, "X-Session-Id": session, **headers}


async def _run(http: httpx.AsyncClient, steps: list[tuple[str, Step]]) -> list[tuple[str, dict[str, Any]]]:
    session_id = uuid.uuid4().hex
    return [(name, _observed(await http.post("/api/drawings", **step(session_id)))) for name, step in steps]


async def _same_answers(client: httpx.AsyncClient, route_only: httpx.AsyncClient,
                        steps: list[tuple[str, Step]]) -> list[tuple[str, dict[str, Any]]]:
    fast = await _run(client, steps)
    route = await _run(route_only, steps)
    assert fast == route
    return fast


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize(("layer", "role", "installed"), [
    *[(FastSubmitMiddleware, role, role in ("all", "collection")) for role in ("all", "collection", "admin", "inference")],
    *[(FastClassifyMiddleware, role, role in ("all", "inference")) for role in ("all", "collection", "admin", "inference")],
])
def test_each_fast_layer_is_installed_where_its_route_is_served(tmp_path: Path, layer: type, role: Role,
                                                                 installed: bool) -> None:
    """Guards the parity tests (here and in test_fast_classify.py): `client` must be the app
    with the fast layer in it."""
    app = create_app(make_settings(data_dir=tmp_path), role)
    assert any(m.cls is layer for m in app.user_middleware) is installed


async def test_a_sequence_of_drawings_is_answered_as_the_route_answers(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack, fast_answers: list[int]
) -> None:
    observed = await _same_answers(client, route_only, [(name, step) for name, _, step in SEQUENCE])

    assert [(name, o["status"]) for name, o in observed] == [(name, status) for name, status, _ in SEQUENCE]
    answers = dict(observed)
    assert answers["replay"] == answers["valid"]
    assert answers["no-session-header"]["X-Session-Id"] == "<made by the server>"
    assert answers["valid"]["Content-Type"] == "application/json"
    assert answers["unknown-shape"]["body"]["details"][0]["field"] == "shapeId"
    assert answers["t-goes-back"]["body"]["details"][0]["field"] == "strokeData.strokes[0][2][2]"
    assert answers["text-plain"]["body"]["details"][0]["field"] == "body"
    assert answers["bad-session-id"]["body"]["details"][0]["field"] == "headers.X-Session-Id"
    assert answers["unknown-field"]["body"]["details"][0]["field"] == "comment"
    assert await stack.drawing_rows() == 2 * STORED_PER_RUN
    # The fast layer answered each stored drawing and the replay itself, the route none.
    assert fast_answers == [201] * (STORED_PER_RUN + 1)


@pytest.mark.settings(consent_required=True)
async def test_a_session_without_consent_is_refused_as_the_route_refuses_it(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack
) -> None:
    observed = await _same_answers(client, route_only, [
        ("no-consent", lambda s: {"json": drawing_body(), "headers": _keyed(s, "a")}),
        ("no-session", lambda s: {"json": drawing_body(), "headers": {"X-Idempotency-Key": f"{s}:b"}}),
    ])

    for _, answer in observed:
        assert answer["status"] == 403 and answer["body"]["error"] == "CONSENT_REQUIRED"
    assert await stack.drawing_rows() == 0


@pytest.mark.settings(drawing_rate_per_session=3, drawing_rate_window_s=60)
async def test_fast_drawings_count_against_the_rate_limits(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient, fast_answers: list[int]
) -> None:
    """An attempt the route refuses and drawings the fast layer takes use up one limit."""
    observed = await _same_answers(client, route_only, [
        ("refused-by-the-route", lambda s: {"json": {"shapeId": "circle"}, "headers": _keyed(s, "a")}),
        *[(f"drawing-{n}", lambda s, n=n: {"json": drawing_body(), "headers": _keyed(s, f"d{n}")}) for n in (1, 2, 3)],
        ("another-session", lambda s: {"json": drawing_body(), "headers": submission_headers()}),
    ])

    assert [o["status"] for _, o in observed] == [400, 201, 201, 429, 201]
    limited = observed[3][1]
    assert limited["body"]["error"] == "RATE_LIMITED"
    assert 1 <= int(limited["Retry-After"]) <= 60 and limited["body"]["retryAfter"] == int(limited["Retry-After"])
    assert fast_answers == [201, 201, 201]


@pytest.mark.settings(drawing_rate_per_session=1, drawing_rate_window_s=60)
async def test_a_shape_named_like_the_upload_field_is_counted_as_the_route_counts_it(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient
) -> None:
    await _same_answers(client, route_only, [
        ("shape-uploadId", lambda s: {"json": drawing_body("uploadId"), "headers": _keyed(s, "a")}),
        ("drawing", lambda s: {"json": drawing_body(), "headers": _keyed(s, "b")}),
    ])


def _two_content_types(s: str) -> dict[str, Any]:
    headers = [*_keyed(s, "a").items(), ("Content-Type", "text/plain"), ("Content-Type", "application/json")]
    return {"content": json.dumps(drawing_body()).encode(), "headers": headers}


@pytest.mark.parametrize("step", [
    # The route reads the first Content-Type (text/plain: 400).
    pytest.param(_two_content_types, id="two-content-types"),
    # Python's `$` would match before a final newline; the route's pattern refuses it.
    pytest.param(lambda s: {"json": drawing_body(), "headers": {"X-Session-Id": f"{s}\n", "X-Idempotency-Key": s}},
                 id="session-id-ending-in-newline"),
])
async def test_an_odd_request_is_answered_as_the_route_answers_it(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient, step: Step
) -> None:
    await _same_answers(client, route_only, [("odd", step)])


async def test_every_fast_answer_carries_the_request_id(client: httpx.AsyncClient, fast_answers: list[int]) -> None:
    session_id = uuid.uuid4().hex
    headers = _keyed(session_id, "a")
    answers = [
        await client.post("/api/drawings", json=drawing_body(), headers={**headers, "X-Request-Id": "trace-fast-0001"}),
        await client.post("/api/drawings", json=drawing_body(), headers={**headers, "X-Request-Id": "trace-fast-0002"}),
        await client.post("/api/drawings", json=drawing_body("square", square_strokes()),
                          headers={**headers, "X-Request-Id": "trace-fast-0003"}),
        await client.post("/api/drawings", json=drawing_body("unicorn"),
                          headers={**_keyed(session_id, "b"), "X-Request-Id": "trace-fast-0004"}),
    ]
    assert [a.status_code for a in answers] == [201, 201, 409, 400]
    assert [a.headers["X-Request-Id"] for a in answers] == [f"trace-fast-000{n}" for n in (1, 2, 3, 4)]
    for refused in answers[2:]:
        assert refused.json()["requestId"] == refused.headers["X-Request-Id"]
    assert fast_answers == [201, 201]

    made = await client.post("/api/drawings", json=drawing_body(), headers={**_keyed(session_id, "c"), "X-Request-Id": "no!"})
    assert made.status_code == 201 and made.headers["X-Request-Id"] != "no!" and len(made.headers["X-Request-Id"]) == 32


async def _counted(http: httpx.AsyncClient, route: str, status: int) -> float:
    """`crowdsketch_http_requests_total` for POST on a route label, from `GET /metrics`."""
    labels = {"method": "POST", "route": route, "status": str(status)}
    for family in text_string_to_metric_families((await http.get("/metrics")).text):
        for sample in family.samples:
            if sample.name == "crowdsketch_http_requests_total" and sample.labels == labels:
                return sample.value
    return 0.0


async def test_metrics_name_a_fast_drawing_by_its_route(client: httpx.AsyncClient, fast_answers: list[int]) -> None:
    before = {(route, status): await _counted(client, route, status)
              for route in ("/api/drawings", "unmatched") for status in (201, 400)}

    assert (await client.post("/api/drawings", json=drawing_body(), headers=submission_headers())).status_code == 201
    unknown = await client.post("/api/drawings", json=drawing_body("unicorn"), headers=submission_headers())
    assert unknown.status_code == 400

    after = {key: await _counted(client, *key) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("/api/drawings", 201): 1, ("/api/drawings", 400): 1, ("unmatched", 201): 0, ("unmatched", 400): 0}
    assert fast_answers == [201]


async def test_metrics_name_a_streamed_413_as_the_route_names_it(
    client: httpx.AsyncClient, route_only: httpx.AsyncClient
) -> None:
    for http in (client, route_only):
        before = await _counted(http, "/api/drawings", 413)
        refused = await http.post("/api/drawings", content=_streamed(_padded(1024 * 1024 + 1)),
                                  headers={**submission_headers(), "Content-Type": "application/json"})
        assert refused.status_code == 413
        assert await _counted(http, "/api/drawings", 413) == before + 1, "the 413 is not counted under its route"


async def test_a_body_over_the_limit_gets_413_with_the_envelope(client: httpx.AsyncClient, stack: Stack) -> None:
    """Streamed, a body's size is known only as the fast layer reads it: the refusal is
    the envelope all the same, and nothing is stored."""
    for name, content in (("declared", _padded(1024 * 1024 + 1)), ("streamed", _streamed(_padded(1024 * 1024 + 1)))):
        refused = await client.post("/api/drawings", content=content,
                                    headers={**submission_headers(), "Content-Type": "application/json"})
        assert refused.status_code == 413, name
        body = refused.json()
        assert body["error"] == "PAYLOAD_TOO_LARGE" and body["requestId"] == refused.headers["X-Request-Id"], name
        assert body["details"] == [{"field": "body", "message": body["details"][0]["message"]}], name
    assert await stack.drawing_rows() == 0
