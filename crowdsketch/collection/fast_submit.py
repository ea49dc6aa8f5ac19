"""`POST /api/drawings` without the framework's per-request machinery, for the common case.

A drawing sent inline is the busiest request the platform answers. Through FastAPI it
passes the router's matching, the request/response wrappers, the dependency solver and the
body's second validation, which together took about a third of the server's CPU a drawing
(BENCHMARKS.md, "Ingest", issue 18). This layer answers that request itself when it is well
formed: JSON by content type, strokes inline, valid headers, a body the `DrawingCreate`
model accepts. It then does exactly what the route does (count the attempt against the rate
limits, submit, answer 201 with `X-Session-Id`), with the same service and the same error
envelope.

Anything else (a finalize by `uploadId`, a body that fails validation, invalid headers,
another content type, a client that went away) is handed to the route with the body it
sent, so every refusal is the route's own refusal, word for word. The layer sits inside the
request-id, in-flight, body-size and body-time layers, so those apply to it unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pydantic
from starlette.types import Receive, Scope, Send

from crowdsketch.collection.schemas import DrawingCreate
from crowdsketch.collection.service import Attempt, Submission
from crowdsketch.common.contributors import SESSION_ID
from crowdsketch.errors import AppError, app_error_response
from crowdsketch.middleware import FastRoute


PATH = "/api/drawings"


class FastSubmitMiddleware(FastRoute):
    path = PATH
    headers = (b"x-session-id", b"x-idempotency-key")

    def takes(self, headers: dict[bytes, str]) -> bool:
        session_id, key = headers.get(b"x-session-id"), headers.get(b"x-idempotency-key")
        return ((session_id is None or SESSION_ID.fullmatch(session_id) is not None)
                and (key is None or 1 <= len(key) <= 200))

    async def answer(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, str],
                     body: DrawingCreate) -> None:
        resources = scope["app"].state.resources
        session_id = headers.get(b"x-session-id")
        address = scope["client"][0] if scope.get("client") else "unknown"
        try:
            # Counted as the route counts it, by the session it names (before one is made).
            attempt = Attempt(resources.submission_limits, session_id, address)
            session_id = session_id or str(uuid.uuid4())
            answer = await resources.collection.submit(
                Submission(
                    session_id=session_id,
                    shape_id=body.shape_id,
                    stroke_data=body.stroke_data,
                    idempotency_key=headers.get(b"x-idempotency-key"),
                    licence=resources.settings.licence,
                    attempt=attempt,
                )
            )
        except AppError as error:
            await app_error_response(error)(scope, receive, send)
            return
        await _json(send, answer.status, answer.body, session_id)

    @staticmethod
    def parse(raw: bytes) -> DrawingCreate | None:
        """The body as the route would take it, or None when the route should answer."""
        if b'"uploadId"' in raw:  # a finalize, which the route does not count again
            return None
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(value, dict) or "upload_id" in value:
            return None
        try:
            body = DrawingCreate.model_validate(value)
        except pydantic.ValidationError:
            return None
        return body if body.stroke_data is not None and body.upload_id is None else None


async def _json(send: Send, status: int, content: Any, session_id: str) -> None:
    payload = orjson.dumps(content)
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-length", str(len(payload)).encode()),
            (b"content-type", b"application/json"),
            (b"x-session-id", session_id.encode("latin-1")),
        ],
    })
    await send({"type": "http.response.body", "body": payload})

