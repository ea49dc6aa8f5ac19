"""A y-websocket client in Python (pycrdt + websockets), as the browser's `y-websocket`
provider speaks to `/api/together/{room}`: for the API tests and bench/together.py."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import httpx
from pycrdt import (
    Array, Awareness, Doc, Map, YMessageType, create_awareness_message, create_sync_message, create_update_message,
    handle_sync_message, read_message,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


async def join(http: httpx.AsyncClient, room_id: str, session_id: str) -> dict[str, Any]:
    answer = await http.post(f"/api/together/{room_id}/join", headers={"X-Session-Id": session_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


class RoomClient:
    """One participant's socket and its copy of the room's document."""

    def __init__(self, base_url: str, room_id: str, joined: dict[str, Any], *, origin: str | None = None) -> None:
        self.url = f"{base_url.replace('http', 'ws', 1)}/api/together/{room_id}?ticket={joined['ticket']}"
        self.origin = origin if origin is not None else base_url
        self.participant = joined["participant"]
        self.doc = Doc()
        self.strokes: Array = self.doc.get("strokes", type=Array)
        self.meta: Map = self.doc.get("room", type=Map)
        self.awareness = Awareness(self.doc)
        self.ws: ClientConnection | None = None
        self.closed_code: int | None = None
        self._remote = False
        self._reader: asyncio.Task[None] | None = None
        self._counter = 0
        self.doc.observe(self._local_change)

    async def __aenter__(self) -> RoomClient:
        self.ws = await connect(self.url, origin=self.origin, max_size=None)  # type: ignore[arg-type]
        self.awareness.set_local_state({"participant": self.participant})
        try:
            await self.ws.send(create_sync_message(self.doc))
            await self.ws.send(create_awareness_message(self.awareness.encode_awareness_update([self.doc.client_id])))
        except ConnectionClosed:  # refused at once: the reader below records the code
            pass
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await self._reader

    def _local_change(self, event: Any) -> None:
        if not self._remote and self.ws is not None:
            asyncio.ensure_future(self._send(create_update_message(event.update)))

    async def _send(self, message: bytes) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(message)

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                assert isinstance(message, bytes)
                if message[0] == YMessageType.SYNC:
                    self._remote = True
                    try:
                        reply = handle_sync_message(message[1:], self.doc)
                    finally:
                        self._remote = False
                    if reply is not None:
                        await self.ws.send(reply)
                elif message[0] == YMessageType.AWARENESS:
                    self.awareness.apply_awareness_update(read_message(message[1:]), "remote")
        except ConnectionClosed:
            pass
        self.closed_code = self.ws.close_code

    # Drawing.
    def start_stroke(self, point: list[float]) -> Array:
        self._counter += 1
        points = Array([point])
        self.strokes.append(Map({"id": f"{self.doc.client_id}-{self._counter}", "author": self.participant["id"],
                                 "color": self.participant["color"], "points": points}))
        return points

    async def draw(self, points: list[list[float]], every_s: float = 0.0) -> None:
        """One stroke, point by point, as a pointer draws it."""
        stroke = self.start_stroke(points[0])
        for point in points[1:]:
            if every_s:
                await asyncio.sleep(every_s)
            stroke.append(point)
            await asyncio.sleep(0)

    # Reading.
    def drawn(self) -> list[dict[str, Any]]:
        return self.strokes.to_py() or []

    def people(self) -> set[str]:
        return {state["participant"]["id"] for state in self.awareness.states.values()
                if isinstance(state, dict) and "participant" in state}


async def until(check: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the room did not get there in time")
        await asyncio.sleep(0.02)


def square(x: float = 100, y: float = 100, side: float = 300, t0: float = 1_000_000.0) -> list[list[float]]:
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
    return [[cx, cy, t0 + 100 * i] for i, (cx, cy) in enumerate(corners)]
