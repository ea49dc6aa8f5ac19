"""`POST /api/inference/classify` as the fast layer answers it (crowdsketch/inference/fast_classify.py)
and as the route behind it answers it: a client must not be able to tell them apart.

Each parity test sends the same requests to the app as `client` builds it and to the same app
without the fast layer (`route_only`), each with API keys of its own, and compares status, JSON
body and the headers a client reads. What differs from call to call (the inference time, a
prediction id, the request id, the seconds left in a key's window) is compared by its form."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from crowdsketch import middleware
from crowdsketch.app import create_app
from crowdsketch.inference import fast_classify
from crowdsketch.inference.fast_classify import FastClassifyMiddleware
from tests.api.test_experiments import _two_models
from tests.api.test_inference import HORIZONTAL, VERTICAL, _wait_for_version
from tests.support.drawings import stroke_data
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack, short_timeouts
from tests.support.waiting import eventually

CLASSIFY = "/api/inference/classify"
ORIGIN = "https://app.example.org"
# The keys each run makes for itself, by name.
KEYS: dict[str, dict[str, Any]] = {"unlimited": {}, "limited": {"ratePerMinute": 4}, "quota": {"monthlyQuota": 2},
                                   "both": {"ratePerMinute": 10, "monthlyQuota": 100}, "origin": {"allowedOrigins": [ORIGIN]}}
# What a client reads in an answer, besides its status and body.
HEADERS = ("Content-Type", "Retry-After", "WWW-Authenticate", "RateLimit-Limit", "RateLimit-Remaining", "Vary",
           "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Connection")


@dataclass(frozen=True)
class Run:
    """One run's session id and its keys, by name (as `POST /api/admin/api-keys` made them)."""

    session: str
    keys: dict[str, dict[str, Any]]


Step = Callable[[Run], dict[str, Any]]  # a request, made for one run


@pytest.fixture
async def route_only_app(stack: Stack) -> AsyncIterator[FastAPI]:
    """The app as the `client` fixture builds it, less the fast layer: every classification
    reaches the FastAPI route. (The middleware stack is built on the first request.)"""
    app = create_app(stack.settings)
    kept = [m for m in app.user_middleware if m.cls is not FastClassifyMiddleware]
    assert len(kept) == len(app.user_middleware) - 1
    app.user_middleware = kept
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def route_only(route_only_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=route_only_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statuses the fast layer answered itself, not via the route (a 200, or its 401, 429, 503, 413)."""
    answered: list[int] = []
    answer = fast_classify.answer

    async def counted_answer(*args: Any) -> Any:
        answered.append(200)
        return await answer(*args)

    monkeypatch.setattr(fast_classify, "answer", counted_answer)
    for module, name in ((fast_classify, "app_error_response"), (middleware, "http_error")):  # its refusals, and a 413's
        refuse = getattr(module, name)
        monkeypatch.setattr(module, name, lambda e, refuse=refuse: answered.append(e.status_code) or refuse(e))
    return answered


def _body(strokes: list[list[list[Any]]] | None = None) -> dict[str, Any]:
    return {"strokeData": stroke_data(strokes if strokes is not None else HORIZONTAL)}


def _keyed(run: Run, key: str | None = None, **extra: str) -> dict[str, str]:
    return {"X-Session-Id": run.session, **({"Authorization": f"Bearer {run.keys[key]['key']}"} if key else {}), **extra}


def _classify(strokes: list[list[list[Any]]] | None = None, key: str | None = None, **extra: str) -> Step:
    """A classification with the run's session id, and with one of its keys."""
    return lambda r: {"json": _body(strokes), "headers": _keyed(r, key, **extra)}


def _raw(body: Any, content_type: str | None, headers: dict[str, str]) -> dict[str, Any]:
    content = json.dumps(body).encode() if isinstance(body, dict | list) else body
    typed = {"Content-Type": content_type} if content_type else {}
    return {"content": content, "headers": {**headers, **typed}}


def _padded(size: int) -> bytes:
    """A valid drawing, padded with JSON whitespace to exactly `size` bytes."""
    text = json.dumps(_body()).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


async def _streamed(data: bytes) -> AsyncIterator[bytes]:
    """Sent chunked, without Content-Length: only the counting receive can refuse it."""
    for start in range(0, len(data), 64 * 1024):
        yield data[start:start + 64 * 1024]


def _twice(name: str, first: str, second: str) -> dict[str, Any]:
    """A request with a header given twice (the route reads the first)."""
    typed = [] if name == "Content-Type" else [("Content-Type", "application/json")]
    return {"content": json.dumps(_body()).encode(), "headers": [*typed, (name, first), (name, second)]}


LIMIT = 1024 * 1024
BAD_KEY = "Bearer csk_" + "x" * 43
MANY_POINTS = [[[i % 400, 200, i] for i in range(6000)]] * 2  # 12,000 points: each stroke valid, not all
T_BACK = [[[1, 1, 0], [2, 2, 10], [3, 3, 5]]]

# name, the status both answer, the request
SEQUENCE: list[tuple[str, int, Step]] = [
    ("no-key", 200, _classify()),
    ("no-session-id", 200, lambda r: {"json": _body(VERTICAL)}),
    ("unlimited-key", 200, _classify(key="unlimited")),
    ("limited-1", 200, _classify(key="limited")),
    ("limited-t-goes-back", 400, _classify(T_BACK, "limited")),
    ("limited-2", 200, _classify(VERTICAL, "limited")),
    ("limited-3", 200, _classify(key="limited")),
    ("limited-over", 429, _classify(key="limited")),
    ("quota-1", 200, _classify(key="quota")),
    ("quota-2", 200, _classify(key="quota")),
    ("quota-over", 429, _classify(key="quota")),
    ("both-1", 200, _classify(key="both")),
    ("both-2", 200, _classify(key="both")),
    ("bad-key", 401, _classify(Authorization=BAD_KEY)),
    ("not-bearer", 401, _classify(Authorization="Basic dXNlcjpwYXNz")),
    ("t-goes-back", 400, _classify(T_BACK)),
    ("coordinate-a-string", 400, _classify([[[1, 1, 0], ["2", 2, 10]]])),
    ("empty-strokes", 400, _classify([])),
    ("too-many-points", 400, _classify(MANY_POINTS)),
    ("not-json", 400, lambda r: _raw(b'{"strokeData": {', "application/json", _keyed(r, "unlimited"))),
    ("nan-literal", 400, lambda r: _raw(_body([[[1, 1, 0], [float("nan"), 2, 10]]]), "application/json", _keyed(r))),
    ("text-plain", 400, lambda r: _raw(_body(), "text/plain", _keyed(r))),
    ("no-content-type", 400, lambda r: _raw(_body(), None, _keyed(r))),
    ("json-with-charset", 200, lambda r: _raw(_body(), "Application/JSON; charset=utf-8", _keyed(r))),
    ("a-json-list", 400, lambda r: {"json": [_body()], "headers": _keyed(r, "unlimited")}),
    ("snake-case", 200, lambda r: {"json": {"stroke_data": stroke_data(HORIZONTAL)}, "headers": _keyed(r)}),
    ("unknown-field", 200, lambda r: {"json": {**_body(), "comment": "hello"}, "headers": _keyed(r)}),
    ("session-id-65", 400, _classify(key="unlimited", **{"X-Session-Id": "s" * 65})),
    ("session-id-64", 200, _classify(**{"X-Session-Id": "s" * 64})),
    ("two-authorizations", 200, lambda r: _twice("Authorization", _keyed(r, "unlimited")["Authorization"], BAD_KEY)),
    ("bad-authorization-first", 401, lambda r: _twice("Authorization", BAD_KEY, _keyed(r, "unlimited")["Authorization"])),
    ("two-session-ids", 200, lambda r: _twice("X-Session-Id", r.session, "s" * 65)),
    ("two-content-types-text-first", 400, lambda r: _twice("Content-Type", "text/plain", "application/json")),
    ("two-content-types-json-first", 200, lambda r: _twice("Content-Type", "application/json", "text/plain")),
    ("declared-over-limit", 413, lambda r: _raw(_padded(LIMIT + 1), "application/json", _keyed(r))),
    ("streamed-over-limit", 413, lambda r: _raw(_streamed(_padded(LIMIT + 1)), "application/json", _keyed(r))),
    ("streamed-at-the-limit", 200, lambda r: _raw(_streamed(_padded(LIMIT)), "application/json", _keyed(r, "unlimited"))),
]
# What the route answers; the fast layer answers the rest itself.
BY_THE_ROUTE = {"limited-t-goes-back", "t-goes-back", "coordinate-a-string", "empty-strokes", "too-many-points",
                "not-json", "nan-literal", "text-plain", "no-content-type", "a-json-list", "session-id-65",
                "two-authorizations", "bad-authorization-first", "two-session-ids", "two-content-types-text-first",
                "declared-over-limit"}


def _observed(response: httpx.Response) -> dict[str, Any]:
    """What a client reads in an answer, with what differs from call to call replaced by its form."""
    assert len(response.headers["X-Request-Id"]) >= 8 and 1 <= int(response.headers.get("RateLimit-Reset", 1)) <= 60
    body = response.json()  # every answer here is JSON: a classification or the envelope
    headers: dict[str, Any] = {name: response.headers.get(name) for name in HEADERS}
    if "requestId" in body:
        assert body.pop("requestId") == response.headers["X-Request-Id"]
    for field, kind, form in (("inferenceTimeMs", float | int, "<ms>"), ("predictionId", str, "<prediction id>")):
        if body.get(field) is not None:
            assert isinstance(body[field], kind), field
            body[field] = form
    if response.status_code == 429:  # the seconds left in the key's minute or month
        assert int(headers["Retry-After"]) >= 1 and body.pop("retryAfter") == int(headers["Retry-After"])
        headers["Retry-After"] = "<seconds>"
    names = sorted(name for name in response.headers.keys() if name != "content-length")  # no header more or less
    return {"status": response.status_code, "body": body, "names": names, **headers}


async def _new_run(admin: httpx.AsyncClient, keys: tuple[str, ...]) -> Run:
    made = [await admin.post("/api/admin/api-keys", json={"name": f"{name} key", **KEYS[name]}) for name in keys]
    assert all(key.status_code == 201 for key in made), [key.text for key in made]
    return Run(uuid.uuid4().hex, {name: key.json() for name, key in zip(keys, made, strict=True)})


async def _same_answers(admin: httpx.AsyncClient, route_only: httpx.AsyncClient, steps: list[tuple[str, Step]],
                        keys: tuple[str, ...] = ()) -> tuple[list[tuple[str, dict[str, Any]]], list[Run]]:
    """Each app's answers to the steps (the fast app's returned), asserted the same, and each run."""
    runs = [await _new_run(admin, keys) for _ in range(2)]
    answers = [[(name, _observed(await http.post(CLASSIFY, **step(run)))) for name, step in steps]
               for http, run in zip((admin, route_only), runs, strict=True)]
    assert answers[0] == answers[1]
    return answers[0], runs


async def _loaded(stack: Stack, onnx: bytes, *clients: httpx.AsyncClient) -> None:
    await add_model(stack, onnx, 1, active=True)
    for http in clients:
        await _wait_for_version(http, 1)


async def _same_usage(admin: httpx.AsyncClient, runs: list[Run], expected: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Each key's usage (totals; requests and errors by model version) once written: the same
    for both runs. The fast run's, by key name."""
    usages = {}
    for name, totals in expected.items():
        async def written(name: str = name, totals: dict[str, int] = totals) -> list[Any] | None:
            read = [(await admin.get(f"/api/admin/api-keys/{run.keys[name]['id']}/usage")).json() for run in runs]
            usage = [(u["totals"], {(d["modelVersion"], d["requests"], d["errors"]) for d in u["days"]}) for u in read]
            return usage if all(totals == u[0] for u in usage) else None

        fast, route = await eventually(written, f"the {name} key's usage is written")
        assert fast == route, name
        usages[name] = fast
    return usages


# -- the tests --------------------------------------------------------------------------------


async def test_a_sequence_of_classifications_is_answered_and_counted_as_the_route_does(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack, orientation_model: bytes,
    fast_answers: list[int],
) -> None:
    await _loaded(stack, orientation_model, admin_client, route_only)
    observed, runs = await _same_answers(admin_client, route_only, [(name, step) for name, _, step in SEQUENCE],
                                      ("unlimited", "limited", "quota", "both"))

    assert [(name, o["status"]) for name, o in observed] == [(name, status) for name, status, _ in SEQUENCE]
    answers = dict(observed)
    assert answers["no-key"]["body"]["shape"] == "horizontal" and answers["no-session-id"]["body"]["shape"] == "vertical"
    assert answers["no-key"]["Content-Type"] == "application/json" and answers["no-key"]["RateLimit-Limit"] is None
    assert [answers[f"limited-{n}"]["RateLimit-Remaining"] for n in (1, 2, 3)] == ["3", "1", "0"]
    assert [answers[f"both-{n}"]["RateLimit-Remaining"] for n in (1, 2)] == ["9", "8"]
    assert answers["limited-t-goes-back"]["RateLimit-Remaining"] is None and answers["quota-2"]["RateLimit-Limit"] is None
    assert answers["limited-over"]["RateLimit-Remaining"] == "0" and answers["limited-over"]["Retry-After"] == "<seconds>"
    errors = {"limited-over": "RATE_LIMITED", "quota-over": "QUOTA_EXCEEDED", "bad-key": "API_KEY_INVALID",
              "not-bearer": "API_KEY_INVALID", "bad-authorization-first": "API_KEY_INVALID",
              "declared-over-limit": "PAYLOAD_TOO_LARGE", "streamed-over-limit": "PAYLOAD_TOO_LARGE"}
    assert {name: answers[name]["body"]["error"] for name in errors} == errors
    assert all(answers[n]["WWW-Authenticate"].startswith("Bearer") for n in errors if errors[n] == "API_KEY_INVALID")
    fields = {"t-goes-back": "strokeData.strokes[0][2][2]", "coordinate-a-string": "strokeData.strokes[0][1][0]",
              "empty-strokes": "strokeData.strokes", "too-many-points": "strokeData.strokes", "not-json": "body",
              "text-plain": "body", "session-id-65": "headers.X-Session-Id", "declared-over-limit": "body",
              "streamed-over-limit": "body"}
    assert {name: answers[name]["body"]["details"][0]["field"] for name in fields} == fields
    assert fast_answers == [status for name, status, _ in SEQUENCE if name not in BY_THE_ROUTE]

    # Each key's usage: what was admitted (not a refusal before it, not a 429), failed or not.
    usage = await _same_usage(admin_client, runs, {
        "unlimited": {"requests": 5, "errors": 2}, "limited": {"requests": 4, "errors": 1},
        "quota": {"requests": 2, "errors": 0}, "both": {"requests": 2, "errors": 0}})
    assert usage["limited"][1] == {(1, 3, 0), (None, 1, 1)} and usage["unlimited"][1] == {(1, 3, 0), (None, 2, 2)}


@pytest.mark.settings(inference_auth="required")
async def test_a_missing_key_is_refused_as_the_route_refuses_it(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack, orientation_model: bytes,
    fast_answers: list[int],
) -> None:
    await _loaded(stack, orientation_model, admin_client, route_only)
    observed, _ = await _same_answers(admin_client, route_only, [
        ("missing", _classify()), ("missing-bad-strokes", _classify([])), ("empty", _classify(Authorization="")),
        ("keyed", _classify(key="unlimited")), ("bad-key", _classify(Authorization=BAD_KEY))], ("unlimited",))

    assert [o["status"] for _, o in observed] == [401, 401, 401, 200, 401]
    for name in ("missing", "missing-bad-strokes", "empty"):
        answer = dict(observed)[name]
        assert answer["body"]["error"] == "API_KEY_REQUIRED" and answer["WWW-Authenticate"].startswith("Bearer"), name
    assert fast_answers == [401, 401, 200, 401]


async def test_no_model_is_503_as_the_route_answers_it(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, fast_answers: list[int]
) -> None:
    observed, runs = await _same_answers(admin_client, route_only,
                                         [("no-key", _classify()), ("limited-key", _classify(key="limited"))], ("limited",))

    assert [(o["status"], o["body"]["error"], o["Retry-After"], o["body"]["retryAfter"], o["RateLimit-Limit"])
            for _, o in observed] == [(503, "NO_MODEL_LOADED", "5", 5, None)] * 2
    await _same_usage(admin_client, runs, {"limited": {"requests": 1, "errors": 1}})
    assert fast_answers == [503, 503]


async def test_cors_is_answered_as_the_route_answers_it(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack, orientation_model: bytes,
    fast_answers: list[int],
) -> None:
    await _loaded(stack, orientation_model, admin_client, route_only)
    elsewhere = "https://evil.example"
    observed, _ = await _same_answers(admin_client, route_only, [
        ("allowed", _classify(key="origin", Origin=ORIGIN)), ("elsewhere", _classify(key="origin", Origin=elsewhere)),
        ("key-without-it", _classify(key="unlimited", Origin=ORIGIN)), ("no-key", _classify(Origin=ORIGIN)),
        ("no-key-elsewhere", _classify(Origin=elsewhere)), ("bad-strokes", _classify([], "origin", Origin=ORIGIN)),
        ("bad-key", _classify(Authorization=BAD_KEY, Origin=ORIGIN)),
    ], ("origin", "unlimited"))

    allowed = {name: o["Access-Control-Allow-Origin"] == ORIGIN for name, o in observed}
    assert allowed == {"allowed": True, "elsewhere": False, "key-without-it": False, "no-key": True,
                       "no-key-elsewhere": False, "bad-strokes": True, "bad-key": True}
    assert "RateLimit-Remaining" in dict(observed)["allowed"]["Access-Control-Expose-Headers"]
    assert all(o["Vary"] == "Origin" for _, o in observed)
    assert fast_answers == [200, 200, 200, 200, 200, 401]


async def _counted(http: httpx.AsyncClient, route: str, status: int) -> float:
    """`crowdsketch_http_requests_total` for POST on a route label, from `GET /metrics`."""
    labels = {"method": "POST", "route": route, "status": str(status)}
    families = text_string_to_metric_families((await http.get("/metrics")).text)
    samples = [sample for family in families for sample in family.samples]
    return next((s.value for s in samples if s.name == "crowdsketch_http_requests_total" and s.labels == labels), 0.0)


async def test_fast_answers_carry_the_request_id_and_are_counted_under_the_route(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes, fast_answers: list[int]
) -> None:
    await _loaded(stack, orientation_model, client)
    keys = [(route, status) for route in (CLASSIFY, "unmatched") for status in (200, 400, 401)]
    before = {key: await _counted(client, *key) for key in keys}
    answers = [await client.post(CLASSIFY, json=_body(strokes), headers={"X-Request-Id": f"trace-cls-000{n}", **extra})
               for n, strokes, extra in ((1, None, {}), (2, None, {"Authorization": BAD_KEY}), (3, [], {}))]
    assert [a.status_code for a in answers] == [200, 401, 400]
    assert [a.headers["X-Request-Id"] for a in answers] == [f"trace-cls-000{n}" for n in (1, 2, 3)]
    assert all(refused.json()["requestId"] == refused.headers["X-Request-Id"] for refused in answers[1:])
    after = {key: await _counted(client, *key) for key in keys}
    assert {key: after[key] - before[key] for key in keys} == {key: int(key[0] == CLASSIFY) for key in keys}
    assert fast_answers == [200, 401]


async def test_an_experiments_answer_is_given_as_the_route_gives_it(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, route_only_app: FastAPI, stack: Stack,
    orientation_model: bytes, fast_answers: list[int],
) -> None:
    treatment = await _two_models(stack, admin_client, orientation_model)
    await _wait_for_version(route_only, 1)
    started = await admin_client.post("/api/admin/experiments",
                                      json={"name": "v2 vs v1", "treatmentModelId": str(treatment), "share": 0.5})
    assert started.status_code == 201, started.text
    assert stack.resources is not None
    for resources in (stack.resources, route_only_app.state.resources):
        await resources.models.refresh()  # as the announcement does in every process

    callers = [f"caller-{n}" for n in range(20)]
    observed, _ = await _same_answers(admin_client, route_only,
                                      [(caller, _classify(**{"X-Session-Id": caller})) for caller in callers])

    arms = {(o["body"]["experiment"]["arm"], o["body"]["modelVersion"]) for _, o in observed}
    assert arms == {("control", 1), ("treatment", 2)}
    assert all(o["body"]["experiment"]["id"] == started.json()["id"] for _, o in observed)
    assert all(o["body"]["predictionId"] == "<prediction id>" for _, o in observed)
    assert fast_answers == [200] * len(callers)
    given = (await admin_client.post(CLASSIFY, json=_body(), headers={"X-Session-Id": callers[0]})).json()
    told = await admin_client.post("/api/inference/feedback",
                                   json={"predictionId": given["predictionId"], "correctShape": "horizontal"})
    assert told.status_code == 200 and told.json()["correct"] is True, told.text


@short_timeouts
@pytest.mark.parametrize("stack", ["distributed"], indirect=True)  # a locked SQLite file still serves reads
async def test_a_store_outage_at_the_key_check_is_answered_and_logged_as_the_route_does(
    admin_client: httpx.AsyncClient, route_only: httpx.AsyncClient, stack: Stack, orientation_model: bytes,
    fast_answers: list[int], caplog: pytest.LogCaptureFixture,
) -> None:
    await _loaded(stack, orientation_model, admin_client, route_only)
    runs = [await _new_run(admin_client, ("unlimited",)) for _ in range(2)]  # keys neither app has read yet
    answers = []
    with stack.outage("database", "down"):
        for http, run in zip((admin_client, route_only), runs, strict=True):
            caplog.clear()
            answer = _observed(await http.post(CLASSIFY, **_classify(key="unlimited")(run)))
            said = f"{answer['body']['error']}: {answer['body']['message']}"
            answers.append((answer, [r.levelname for r in caplog.records if r.getMessage() == said]))
    assert answers[0] == answers[1] and answers[0][0]["status"] == 503 and answers[0][1] == ["WARNING"]
    assert fast_answers == [503]
