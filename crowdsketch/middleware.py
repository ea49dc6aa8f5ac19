"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdsketch.errors import PayloadTooLargeError, error_response, internal_error_response
from crowdsketch.logs import request_id_var
from crowdsketch.metrics import HTTP_LATENCY, HTTP_REQUESTS

access_log = logging.getLogger("crowdsketch.access")
error_log = logging.getLogger("crowdsketch.errors")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id (echoed in `X-Request-Id` and in every log line), records
    metrics and the access log, and turns an unexpected exception into the 500 envelope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not response_started:
                await internal_error_response()(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(elapsed)
            if route not in ("/healthz", "/metrics"):
                access_log.info(
                    "%s %s %s", scope["method"], scope["path"], status,
                    extra={"status": status, "route": route, "durationMs": round(elapsed * 1000, 2)},
                )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses a body over the limit with 413 before anything parses it: at once from
    `Content-Length`, or as soon as the streamed bytes pass the limit. `larger_limits`
    gives exact paths (a file upload) a limit of their own."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger_limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_limits = larger_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger_limits.get(scope["path"], self.max_bytes)
        too_large = PayloadTooLargeError(f"The request body is larger than {max_bytes} bytes.",
                                         details=[{"field": "body", "message": f"at most {max_bytes} bytes"}])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await error_response(too_large)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # An HTTPException is what the body reader lets through; the handler
                    # renders it as this 413's envelope.
                    raise HTTPException(413, detail=too_large.message)
            return message

        await self.app(scope, counting_receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
