from typing import Any

import orjson
from starlette.responses import JSONResponse


class JsonResponse(JSONResponse):
    """JSON rendered by orjson: for bodies built by hand (envelopes, replays)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
