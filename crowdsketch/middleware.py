"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdsketch.errors import PayloadTooLargeError, RateLimitedError, error_response, http_error, internal_error_response
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
    gives exact paths (a file upload) a limit of their own, and `larger_prefixes` the paths
    under a prefix (a route with an id in its path)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger_limits: dict[str, int] | None = None,
                 larger_prefixes: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_limits = larger_limits or {}
        self.larger_prefixes = larger_prefixes or {}

    def limit(self, path: str) -> int:
        if path in self.larger_limits:
            return self.larger_limits[path]
        for prefix, max_bytes in self.larger_prefixes.items():
            if path.startswith(prefix):
                return max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit(scope["path"])
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


class TooManyInFlightError(RateLimitedError):
    code = "TOO_MANY_REQUESTS_IN_FLIGHT"


class InFlightLimitMiddleware:
    """Caps the requests one client address has in flight in this process: past the cap the
    next one gets 429 + Retry-After at once, so that one client cannot hold every
    connection and database slot. Probes and metrics are not counted."""

    def __init__(self, app: ASGIApp, max_in_flight: int,
                 exempt_paths: frozenset[str] = frozenset({"/healthz", "/readyz", "/metrics"})) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.exempt_paths = exempt_paths
        self._in_flight: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_in_flight or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        current = self._in_flight.get(address, 0)
        if current >= self.max_in_flight:
            refused = TooManyInFlightError(
                f"More than {self.max_in_flight} requests in flight from this address; retry when one has finished.",
                retry_after_s=1,
            )
            await error_response(refused)(scope, receive, send)
            return
        self._in_flight[address] = current + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self._in_flight[address] - 1
            if left:
                self._in_flight[address] = left
            else:
                del self._in_flight[address]


class BodyReadTimeoutMiddleware:
    """Answers 408 (and closes the connection) when a request body arrives too slowly: all
    of it must come within `timeout_s` plus one second for each `min_rate` bytes received
    (the rule of Apache's mod_reqtimeout), so a client trickling bytes cannot hold a
    connection and a request slot for long while a slow mobile upload still gets through."""

    def __init__(self, app: ASGIApp, timeout_s: float, min_rate: int) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.min_rate = min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.timeout_s:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        received = 0
        body_done = False

        async def timed_receive() -> Message:
            nonlocal received, body_done
            if body_done:
                # Past the body, receive() waits for the client to go away: no deadline there.
                return await receive()
            allowed = started + self.timeout_s + received / self.min_rate - loop.time()
            try:
                async with asyncio.timeout(max(allowed, 0.0)):
                    message = await receive()
            except TimeoutError:
                # An HTTPException is what the body reader lets through; the handler renders
                # it as this 408's envelope.
                raise HTTPException(
                    408, detail=f"The request body arrived slower than {self.min_rate} bytes/s; send it faster."
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        await self.app(scope, timed_receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


# -- for the layers that answer a hot route themselves (collection/fast_submit.py,
# inference/fast_classify.py) and hand everything else to the route, body and all.


class FastRoute:
    """A layer that answers `POST path` itself when the request is well formed, and hands
    anything else to the route behind it with the body it sent, so that every refusal is
    the route's own. A subclass names the headers it reads (`headers`: each at most once;
    a repeated one goes to the route), says which values it `takes`, `parse`s the body
    (None: the route answers) and `answer`s. The request carries the route's name in
    metrics and the access log whoever answers it."""

    path: str
    headers: tuple[bytes, ...]

    def __init__(self, app: ASGIApp, route: Any) -> None:
        self.app = app
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        found: dict[bytes, str] = {}
        content_type = None
        for name, value in scope["headers"]:
            if name in self.headers:
                if name in found:
                    await self.app(scope, receive, send)
                    return
                found[name] = value.decode("latin-1")
            elif name == b"content-type" and content_type is None:  # the first, as the route reads it
                content_type = value
        if not (is_json(content_type) and self.takes(found)):
            await self.app(scope, receive, send)
            return
        try:
            messages, raw = await read_body(receive)
        except HTTPException as refusal:  # the body-size and body-time layers' 413 and 408
            await self.refuse(refusal)(scope, receive, send)
            return
        body = self.parse(raw) if raw is not None else None
        if body is None:
            await self.app(scope, replay(messages, receive), send)
            return
        await self.answer(scope, receive, send, found, body)

    def takes(self, headers: dict[bytes, str]) -> bool:
        return True

    def parse(self, raw: bytes) -> Any:
        raise NotImplementedError

    def refuse(self, refusal: HTTPException) -> ASGIApp:
        return http_error(refusal)

    async def answer(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, str], body: Any) -> None:
        raise NotImplementedError


def is_json(content_type: bytes | None) -> bool:
    """Whether a Content-Type value says JSON, as the route reads it."""
    return content_type is not None and content_type.split(b";", 1)[0].strip().lower() == b"application/json"


async def read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """Every message read, and the whole body (None when the client went away first).
    The body-size and body-time layers' refusals propagate as their HTTPException."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives back what was read, then goes on reading."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
