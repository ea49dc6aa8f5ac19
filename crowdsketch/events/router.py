"""`GET /api/admin/events`, upgraded to a WebSocket: the admin event stream.

Authenticated by the admin session cookie; the `Origin` must be the serving host's (or one
of `CROWDSKETCH_ALLOWED_ORIGINS`), so no other site can open it with the admin's cookie. A
refused socket is accepted and closed at once with 4401 (no session) or 4403 (foreign
origin): a browser shows a script the close code, never an upgrade's HTTP status. Messages
are `{id, type, at, data}` text frames: first `hello` (`{resumed}`), or `resync` when what
the client missed since `?since=` is no longer buffered, then the events as they come; a
`ping` after 30 s of silence. The session is checked at each ping: one that expired closes
the socket with 4401, as a logout does at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from crowdsketch.common.identity import SESSION_COOKIE
from crowdsketch.common.origins import origin_allowed
from crowdsketch.errors import AppError
from crowdsketch.events.bus import session_tag
from crowdsketch.events.hub import CLOSE_SESSION_ENDED, EventHub

logger = logging.getLogger(__name__)

router = APIRouter(tags=["admin: events"])

CLOSE_FOREIGN_ORIGIN = 4403
PING_AFTER_S = 30.0


@router.websocket("/api/admin/events")
async def admin_events(
    websocket: WebSocket,
    since: Annotated[str | None, Query(max_length=40, description="The last event id seen: resume after it")] = None,
) -> None:
    resources = websocket.app.state.resources
    hub: EventHub = websocket.app.state.events
    await websocket.accept()
    if not origin_allowed(websocket, resources.settings.allowed_origins):
        await websocket.close(CLOSE_FOREIGN_ORIGIN, "foreign origin")
        return
    session_id = websocket.cookies.get(SESSION_COOKIE)
    try:
        await resources.auth.authenticate(session_id)
    except AppError:
        await websocket.close(CLOSE_SESSION_ENDED, "log in first")
        return
    client, missed = hub.connect(session_tag(session_id or ""), since)
    try:
        await _send(websocket, "resync" if missed is None else "hello", {"resumed": bool(since) and missed is not None})
        for event in missed or []:
            await websocket.send_text(_json(event))
        await _pump(websocket, client, resources, session_id or "")
    except WebSocketDisconnect:
        pass
    finally:
        hub.disconnect(client)


async def _pump(websocket: WebSocket, client: Any, resources: Any, session_id: str) -> None:
    """Events to the socket until the client goes or the hub closes it."""
    receiving = asyncio.ensure_future(_drain(websocket))
    try:
        while True:
            getting = asyncio.ensure_future(client.queue.get())
            done, _ = await asyncio.wait({getting, client.closed, receiving}, timeout=PING_AFTER_S,
                                         return_when=asyncio.FIRST_COMPLETED)
            if getting not in done:
                getting.cancel()
            if receiving in done:
                return
            if client.closed in done:
                await websocket.close(client.closed.result())
                return
            if getting in done:
                await websocket.send_text(_json(getting.result()))
                continue
            if not await _still_signed_in(resources, session_id):
                await websocket.close(CLOSE_SESSION_ENDED, "the session ended")
                return
            await _send(websocket, "ping", {})
    finally:
        receiving.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await receiving


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice that it has gone."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _still_signed_in(resources: Any, session_id: str) -> bool:
    try:
        await resources.auth.authenticate(session_id)
    except AppError as error:
        return error.status_code >= 500  # the store is down: not the admin's doing
    return True


async def _send(websocket: WebSocket, type_: str, data: dict[str, Any]) -> None:
    await websocket.send_text(_json({"id": None, "type": type_, "at": datetime.now(UTC).isoformat(), "data": data}))


def _json(event: dict[str, Any]) -> str:
    return orjson.dumps(event).decode()
