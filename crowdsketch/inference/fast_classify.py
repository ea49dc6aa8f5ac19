"""`POST /api/inference/classify` without the framework's per-request machinery, for the common case.

A classification is the request an implementor's program makes most. Through FastAPI it
passes the router's matching, the request/response wrappers, the dependency solver (the API
key's dependency with its exit stack), the body's validation and the answer's validation
again on the way out: 43% of the server's CPU a call, against 32% for the model itself
(py-spy, BENCHMARKS.md "Classify"). This layer answers that request itself when it is well
formed: JSON by content type, at most one `Authorization` and one `X-Session-Id`, a body the
`ClassifyRequest` model and the stroke rules accept. It then does what the route does, in the
route's order: admit the key (401, 429 and its `RateLimit-*` headers), classify, answer, and
count the call in the key's usage, failed or not, with its model version.

Anything else (a body that fails validation, invalid headers, another content type, a
client that went away) goes on to the route with the body it sent, so every refusal is the
route's own refusal, word for word, and the key is admitted once either way. The layer sits
inside the request-id, CORS, in-flight, body-size and body-time layers, so those apply to it
unchanged.
"""

from __future__ import annotations

import time

import orjson
import pydantic
from starlette.types import Receive, Scope, Send

from crowdsketch.errors import AppError, app_error_response
from crowdsketch.middleware import FastRoute
from crowdsketch.inference.answer import answer
from crowdsketch.inference.schemas import ClassifyRequest
from crowdsketch.strokes import check_stroke_rules


PATH = "/api/inference/classify"
SESSION_ID_MAX = 64  # the route's `X-Session-Id` limit


class FastClassifyMiddleware(FastRoute):
    path = PATH
    headers = (b"authorization", b"x-session-id")

    def takes(self, headers: dict[bytes, str]) -> bool:
        return len(headers.get(b"x-session-id", "")) <= SESSION_ID_MAX

    @staticmethod
    def parse(raw: bytes) -> ClassifyRequest | None:
        """The body as the route would take it, or None when the route should answer."""
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(value, dict):
            return None
        try:
            body = ClassifyRequest.model_validate(value)
            check_stroke_rules(body.stroke_data)
        except (pydantic.ValidationError, AppError):
            return None
        return body

    async def answer(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, str],
                     body: ClassifyRequest) -> None:
        session_id, authorization = headers.get(b"x-session-id"), headers.get(b"authorization")
        resources = scope["app"].state.resources
        try:
            use = await resources.api_keys.admit(authorization)
        except AppError as error:
            await app_error_response(error)(scope, receive, send)
            return
        if use is not None:
            scope.setdefault("state", {})["api_key"] = use.key  # for CORS, as the route's request.state
        started, failed, version = time.perf_counter(), True, None
        try:
            caller = session_id or (scope["client"][0] if scope.get("client") else None)
            prediction = resources.models.classify(body.stroke_data.strokes, caller)
            version = prediction.model_version
            result = await answer(prediction, resources)
            failed = False
        except AppError as error:
            await app_error_response(error)(scope, receive, send)
            return
        finally:
            if use is not None:
                resources.api_keys.usage.record(use.key.id, (time.perf_counter() - started) * 1000, version, failed)
        payload = orjson.dumps(result.model_dump(mode="json", by_alias=True))
        answered = [(b"content-length", str(len(payload)).encode()), (b"content-type", b"application/json")]
        if use is not None:  # the key's RateLimit-* headers
            answered += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in use.headers.items()]
        await send({"type": "http.response.start", "status": 200, "headers": answered})
        await send({"type": "http.response.body", "body": payload})

