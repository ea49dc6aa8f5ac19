"""Hostile bodies through the HTTP API: `POST /api/drawings` and `POST /api/inference/classify`
answer exactly what the stroke validator says (201 or 200 for a valid drawing, 400 with
per-field details for anything else, 413 past 1 MiB), always in the envelope, never a 5xx.
The app answers 400, not FastAPI's 422, for every invalid body, and a body not sent as
`application/json` is invalid."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import httpx
import pydantic
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crowdsketch.app import create_app
from crowdsketch.collection.schemas import DrawingCreate
from crowdsketch.errors import ValidationError
from crowdsketch.inference.schemas import ClassifyRequest
from crowdsketch.settings import Settings
from crowdsketch.strokes import check_stroke_rules
from tests.fuzz.strategies import JUNK, stroke_payloads

EXAMPLES = 300


class Route:
    def __init__(self, path: str, created: int, model: type[pydantic.BaseModel], wrap: Callable[[Any], Any]) -> None:
        self.path, self.created, self.model, self.wrap = path, created, model, wrap

    def expected_status(self, body: bytes, content_type: str | None, max_bytes: int) -> int:
        """What the app must answer, worked out from the validator alone."""
        if len(body) > max_bytes:
            return 413
        if content_type != "application/json":
            return 400
        try:
            request = self.model.model_validate(json.loads(body))
            strokes = request.stroke_data  # type: ignore[attr-defined]
            if strokes is None:  # a submission names its strokes, or else its upload
                return 400
            check_stroke_rules(strokes)
        except (ValueError, RecursionError, pydantic.ValidationError, ValidationError):
            return 400
        return self.created


ROUTES = [
    Route("/api/drawings", 201, DrawingCreate, lambda data: {"shapeId": "circle", "strokeData": data}),
    Route("/api/inference/classify", 200, ClassifyRequest, lambda data: {"strokeData": data}),
]


def _deep_raw(depth: int) -> bytes:
    """A drawing whose strokes are `depth` lists deep, as JSON text (far deeper than any
    Python object json.dumps could write)."""
    return b'{"shapeId": "circle", "strokeData": {"strokes": ' + b"[" * depth + b"]" * depth + b"}}"


@st.composite
def requests(draw: st.DrawFn, max_bytes: int) -> tuple[Route, bytes, str | None]:
    route = draw(st.sampled_from(ROUTES))
    kind = draw(st.sampled_from(["strokes", "strokes", "strokes", "junk", "bytes", "deep", "oversize", "type"]))
    content_type: str | None = "application/json"
    if kind == "junk":
        body = json.dumps(draw(JUNK)).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=200))
    elif kind == "deep":
        body = _deep_raw(draw(st.integers(1, 200_000)))
    elif kind == "oversize":
        body = b'{"strokeData": "' + b"x" * (max_bytes + draw(st.integers(0, 1000))) + b'"}'
    else:
        # NaN and infinities go out as the bare literals a careless client writes.
        body = json.dumps(route.wrap(draw(stroke_payloads())), allow_nan=True).encode()
        if kind == "type":
            content_type = draw(st.sampled_from([None, "text/plain", "application/x-www-form-urlencoded"]))
    return route, body, content_type


Post = Callable[..., httpx.Response]


@contextmanager
def _posting(app: FastAPI) -> Iterator[Post]:
    """A blocking `post` to the app (lifespan included), which runs on an event loop in
    another thread: hypothesis drives plain functions."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        try:
            yield lambda *args, **kwargs: portal.call(partial(client.post, *args, **kwargs))
        finally:
            portal.call(client.aclose)


def _assert_envelope(response: Any, status: int) -> None:
    body = response.json()
    assert body["requestId"] == response.headers["X-Request-Id"]
    assert body["error"] == {400: "VALIDATION_ERROR", 413: "PAYLOAD_TOO_LARGE"}[status]
    assert body["details"], "no details"
    for detail in body["details"]:
        assert set(detail) == {"field", "message"}
        assert isinstance(detail["field"], str) and isinstance(detail["message"], str) and detail["message"]


def test_hostile_bodies_get_what_the_validator_says_and_never_a_5xx(fuzz_settings: Settings) -> None:
    max_bytes = fuzz_settings.max_body_bytes
    with _posting(create_app(fuzz_settings)) as post:

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(request=requests(max_bytes))
        def send(request: tuple[Route, bytes, str | None]) -> None:
            route, body, content_type = request
            headers = {"X-Session-Id": uuid.uuid4().hex}
            if content_type is not None:
                headers["Content-Type"] = content_type
            response = post(route.path, content=body, headers=headers)

            expected = route.expected_status(body, content_type, max_bytes)
            assert response.status_code == expected, (expected, response.text)
            if expected >= 400:
                _assert_envelope(response, expected)

        send()


def test_a_body_nested_past_the_json_parsers_depth_gets_400(fuzz_settings: Settings) -> None:
    with _posting(create_app(fuzz_settings)) as post:
        response = post("/api/drawings", content=_deep_raw(400_000), headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text
    assert response.json()["details"] == [{"field": "body", "message": "the body could not be read as JSON"}]
