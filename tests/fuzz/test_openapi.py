"""The app's own OpenAPI document, fuzzed by schemathesis: every operation gets generated
requests, valid by the schema and invalid, in-process against the ASGI app on an embedded
stack that has an active model, an admin and a few drawings. Whatever comes in, no answer
is a 5xx, every answer has a status, schema and content type its route declares, and every
error is the envelope with the request's id.

The public routes run without a session; the admin routes run logged in (session cookie
and `X-CSRF-Token`). `EXCLUDED` names the operations left out, and why. The stack comes
from `fuzz_settings` (conftest.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crowdsketch.app import create_app
from crowdsketch.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.drawings import drawing_body, submission_headers

# Generated requests per operation and per generation mode (valid data, invalid data).
EXAMPLES_PER_OPERATION = 30
# What each run must reach: together the 1,000 cases the suite promises, whatever the
# number of operations becomes.
MIN_CASES = {"public": 200, "admin": 800}

EXCLUDED = {
    "POST /api/admin/logout": "revokes the session the rest of the admin run uses",
}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_: Any, value: Any) -> dict[str, bytes]:
    """The import body (declared as a binary string): sent as the bytes generated."""
    return {"data": value if isinstance(value, bytes) else str(value).encode()}


@contextmanager
def _fuzzed_app(settings: Settings) -> Iterator[tuple[schemathesis.BaseSchema, asgi.ASGIClient]]:
    """The app and its schema; the client runs it (lifespan included) on schemathesis's
    event-loop thread until the block ends."""
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        with asgi.get_client(app) as client:
            yield schema, client
    finally:
        asgi.shutdown_lifespans()


def _known_ids(client: asgi.ASGIClient) -> dict[str, list[str]]:
    """Ids that exist, per path template, so that routes on one thing reach past the 404."""
    drawings = []
    for _ in range(8):
        response = client.post("/api/drawings", json=drawing_body(), headers=submission_headers())
        assert response.status_code == 201, response.text
        drawings.append(response.json()["id"])
    job = client.post("/api/admin/training/start", json={"epochs": 1})
    assert job.status_code == 201, job.text
    shapes = [shape["id"] for shape in client.get("/api/admin/shapes").json()]
    models = [model["id"] for model in client.get("/api/admin/models").json()]
    return {
        "/api/admin/drawings/{id}": drawings,
        "/api/admin/drawings/{id}/flag": drawings,
        "/api/admin/drawings/{id}/unflag": drawings,
        "/api/admin/shapes/{id}": shapes,
        "/api/admin/training/jobs/{id}": [job.json()["id"]],
        "/api/admin/training/jobs/{id}/cancel": [job.json()["id"]],
        "/api/admin/models/{id}/activate": models,
    }


def _towards_valid(case: Any, data: st.DataObject, known_ids: dict[str, list[str]]) -> None:
    """Sometimes point a generated request at real data: an existing id, a shape in the
    catalogue, the admin's credentials, strokes whose `t` never goes back. Generated data
    alone almost never gets past those checks to the code behind them."""
    ids = known_ids.get(case.operation.path)
    if ids and case.path_parameters and "id" in case.path_parameters and data.draw(st.booleans()):
        case.path_parameters["id"] = data.draw(st.sampled_from(ids))
    body = case.body
    if not isinstance(body, dict) or not data.draw(st.booleans()):
        return
    if case.operation.path == "/api/admin/login":
        body.update(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    if "shapeId" in body:
        body["shapeId"] = "circle"
    strokes = body.get("strokeData", {}).get("strokes") if isinstance(body.get("strokeData"), dict) else None
    for stroke in strokes if isinstance(strokes, list) else []:
        points = stroke if isinstance(stroke, list) else []
        if all(isinstance(p, list) and len(p) == 3 and all(isinstance(v, int | float) for v in p) for p in points):
            for point, t in zip(points, sorted(p[2] for p in points), strict=True):
                point[2] = t


def _assert_error_envelope(response: Any) -> None:
    if response.status_code < 400:
        return
    body = json.loads(response.content)
    assert {"error", "message", "requestId"} <= set(body), body
    assert body["requestId"] == response.headers["x-request-id"][0], body


def _fuzz(
    schema: schemathesis.BaseSchema,
    client: asgi.ASGIClient,
    include: Callable[[str], bool],
    known_ids: dict[str, list[str]],
) -> tuple[Counter[str], list[str]]:
    cases: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED or not include(operation.path):
            continue
        has_input = operation.body or any(True for _ in operation.iter_parameters())
        # An operation without parameters or body has no invalid request to make.
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_input else [GenerationMode.POSITIVE]
        for mode in modes:

            # Each request is a new case: the app's state carries over and is part of the fuzz.
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                cases[operation.label] += 1
                _towards_valid(case, data, known_ids)
                response = case.call(session=client)
                case.validate_response(response, checks=CHECKS)
                _assert_error_envelope(response)

            try:
                run()
            except BaseException as failure:  # noqa: BLE001 - every operation runs; all failures are reported
                if isinstance(failure, KeyboardInterrupt):
                    raise
                failures.append(f"{operation.label} ({mode.value} data): {failure}")
    return cases, failures


def test_public_routes_answer_any_request_without_a_5xx_and_as_declared(fuzz_settings: Settings) -> None:
    with _fuzzed_app(fuzz_settings) as (schema, client):
        cases, failures = _fuzz(schema, client, lambda path: not path.startswith("/api/admin/")
                                or path == "/api/admin/login", {})

    assert not failures, "\n\n".join(failures)
    assert sum(cases.values()) >= MIN_CASES["public"], cases


def test_admin_routes_answer_any_request_without_a_5xx_and_as_declared(fuzz_settings: Settings) -> None:
    with _fuzzed_app(fuzz_settings) as (schema, client):
        login = client.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        client.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        known_ids = _known_ids(client)
        cases, failures = _fuzz(schema, client, lambda path: path.startswith("/api/admin/")
                                and path != "/api/admin/login", known_ids)
        assert client.get("/api/admin/me").status_code == 200, "the session lasted the whole run"

    assert not failures, "\n\n".join(failures)
    assert sum(cases.values()) >= MIN_CASES["admin"], cases

