"""The key check on inference calls, and CORS for the web origins keys allow.

`api_key_use` is a dependency of the key-checked routes: it admits the call (service.py),
puts the key's `RateLimit-*` headers on the answer, and counts the call in the key's usage
with its time in the app, its model version (`request.state.model_version`, which the
route sets) and whether it failed. OpenAPI declares the bearer scheme through it.

CORS (`InferenceCors`, for `/api/inference/*`): a preflight carries no key, so it is
answered for an origin that some live key allows; the call itself gets
`Access-Control-Allow-Origin` when its key allows the origin (or, without a key, when some
key does, so a page can read its own 401). Any other origin gets no CORS headers at all.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdsketch.errors import AppError
from crowdsketch.implementors.service import KeyUse

bearer = HTTPBearer(auto_error=False, scheme_name="apiKey", bearerFormat="csk_…",
                    description="An implementor's API key (`CROWDSKETCH_INFERENCE_AUTH` says whether one is needed)")

EXPOSED = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id"
PREFLIGHT_MAX_AGE_S = 600


async def api_key_use(request: Request, response: Response, _: Any = Security(bearer)) -> AsyncIterator[KeyUse | None]:
    service = request.app.state.resources.api_keys
    use = await service.admit(request.headers.get("authorization"))
    if use is None:
        yield None
        return
    response.headers.update(use.headers)
    request.state.api_key = use.key
    started, failed = time.perf_counter(), True
    try:
        yield use
        failed = False
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        service.usage.record(use.key.id, elapsed_ms, getattr(request.state, "model_version", None), failed)


ApiKeyUse = Annotated[KeyUse | None, Depends(api_key_use)]


class InferenceCors:
    def __init__(self, app: ASGIApp, prefix: str = "/api/inference") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        service = scope["app"].state.resources.api_keys
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            answer = [(b"vary", b"Origin")]
            if await _allowed(service, origin):
                answer += [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", b"GET, POST"),
                    (b"access-control-allow-headers", b"Authorization, Content-Type, X-Session-Id, X-Request-Id"),
                    (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_S).encode()),
                ]
            await send({"type": "http.response.start", "status": 204, "headers": answer})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                key = scope.get("state", {}).get("api_key")
                allowed = (origin.rstrip("/").lower() in key.allowed_origins if key is not None
                           else await _allowed(service, origin))
                extra = [(b"vary", b"Origin")]
                if allowed:
                    extra += [(b"access-control-allow-origin", origin.encode("latin-1")),
                              (b"access-control-expose-headers", EXPOSED.encode())]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def _allowed(service: Any, origin: str) -> bool:
    try:
        return bool(await service.origin_allowed(origin.rstrip("/").lower()))
    except AppError:  # the database is away: no CORS answer rather than a wrong one
        return False
