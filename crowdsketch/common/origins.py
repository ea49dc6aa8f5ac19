"""Whose page may open a WebSocket: a browser always sends `Origin` on one, and a socket
that acts for the page's user (a cookie, a session id) must come from this site's pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.websockets import WebSocket


def origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    """The serving host's own pages, or one of `CROWDSKETCH_ALLOWED_ORIGINS`; a client that
    is not a browser sends no `Origin`, and its credentials are the whole of the check."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()
