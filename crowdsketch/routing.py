"""A route class whose request bodies are parsed by orjson.

FastAPI reads a JSON body with the standard library's `json.loads`; on the ingest path that
was 6% of the server's CPU (BENCHMARKS.md, "Ingest"), orjson's parser a fraction of it. What
orjson refuses and `json` accepts (NaN and Infinity literals, lone surrogates in strings,
integers past 64 bits) falls back to `json.loads`, so every body is read as before and every
refusal is the same refusal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

_UNSET = object()


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if getattr(self, "_json", _UNSET) is _UNSET:
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._json = json.loads(body)
        return self._json


class OrjsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_orjson(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))

        return with_orjson
