"""One shared canvas in one process: its CRDT document, the sockets on it, and the rules.

The document is a Yjs document held with pycrdt, spoken to in the y-websocket protocol
(the browser's `y-websocket` provider): sync step 1/2 and updates (message type 0), and
awareness, who is here (type 1; type 3 asks for it). Its shape:

- `strokes`: an array of maps `{id, author, color, points}`, `points` an array of
  `[x, y, t]` that grows while the stroke is drawn, so others see it as it is drawn;
- `room`: a map the server writes: `round`, `prompt` `{id, name}`, `ready` (participant ids
  that pressed Submit this round) and `saved` (the last round stored).

Who drew a stroke is what the server saw, not what the client wrote: a stroke's author is
the participant whose socket sent the update that created it (`authors`).

Limits, each closing only the offending socket, with a code a script can read: a message
over `max_message_bytes` (4009), more than `updates_per_s` updates a second, each point
drawn being one (4008), a document past `max_doc_bytes` (4011); and a socket that reads so
slowly that 2,048 messages wait for it (4012: it reconnects and catches up through sync).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import (
    Array, Awareness, Doc, Map, YMessageType, YSyncMessageType, create_awareness_message, create_sync_message,
    create_update_message, handle_sync_message, read_message,
)

logger = logging.getLogger(__name__)

CLOSE_ROOM_CLOSED = 4000
CLOSE_TICKET_REFUSED = 4401
CLOSE_FOREIGN_ORIGIN = 4403
CLOSE_TOO_FAST = 4008
CLOSE_TOO_LARGE = 4009
CLOSE_ROOM_FULL = 4010
CLOSE_DOCUMENT_FULL = 4011
CLOSE_TOO_SLOW = 4012

_QUERY_AWARENESS = 3
_OUTBOX = 2048  # messages queued for one slow socket before it is let go


class Abuse(Exception):
    """A socket broke a limit: it is closed with this code; the room goes on."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Participant:
    id: str
    session_id: str
    name: str
    color: str

    def public(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "color": self.color}


@dataclass(frozen=True)
class RoomLimits:
    people: int = 8
    max_message_bytes: int = 64 * 1024
    max_doc_bytes: int = 1024 * 1024
    updates_per_s: float = 120.0


class Socket(Protocol):
    async def send_bytes(self, data: bytes) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Client:
    """One socket in a room: its participant, its outbox and its allowance of updates."""

    def __init__(self, socket: Socket, participant: Participant, updates_per_s: float) -> None:
        self.socket = socket
        self.participant = participant
        self.awareness_ids: set[int] = set()
        self._outbox: asyncio.Queue[bytes | None] = asyncio.Queue(_OUTBOX)
        self._rate = updates_per_s
        self._tokens = 2 * updates_per_s  # a burst of two seconds' worth
        self._refilled = time.monotonic()
        self._sender = asyncio.ensure_future(self._send_all())

    def spend(self) -> bool:
        """One update's worth of the allowance (a token bucket); False when it is spent."""
        now = time.monotonic()
        self._tokens = min(2 * self._rate, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def send(self, message: bytes) -> None:
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:  # it reads slower than the room draws: let it resync later
            logger.info("a together socket fell behind and is closed")
            self._sender.cancel()
            asyncio.ensure_future(self._close_quietly(CLOSE_TOO_SLOW, "too slow to keep up"))

    async def close(self, code: int, reason: str) -> None:
        await self.stop()
        await self._close_quietly(code, reason)

    async def stop(self) -> None:
        self._sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sender

    async def _send_all(self) -> None:
        while True:
            message = await self._outbox.get()
            try:
                await self.socket.send_bytes(message)
            except Exception:  # noqa: BLE001 - a closed socket: the reader ends it
                return

    async def _close_quietly(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code, reason)


@dataclass
class RoomState:
    """What is persisted of a room besides its document."""

    id: str
    created_by: str
    round: int
    prompt: dict[str, str]
    participants: list[Participant] = field(default_factory=list)
    authors: dict[str, str] = field(default_factory=dict)


class Room:
    def __init__(self, state: RoomState, document: bytes, limits: RoomLimits, on_change: Callable[[], None]) -> None:
        self.state = state
        self.limits = limits
        self.doc = Doc()
        if document:
            self.doc.apply_update(document)
        self.strokes: Array = self.doc.get("strokes", type=Array)
        self.meta: Map = self.doc.get("room", type=Map)
        self.awareness = Awareness(self.doc)
        self.clients: set[Client] = set()
        self.ready: set[str] = set()
        self.lock = asyncio.Lock()  # one Submit decides a round at a time
        self.last_active = time.monotonic()
        self._on_change = on_change
        self._sender: Client | None = None
        self._size = len(document)
        self.saved: bytes | None = document or None  # the document as this process last saved it
        self.strokes.observe(self._record_authors)
        self._write_meta()

    # Who is here.
    def present(self) -> set[str]:
        return {client.participant.id for client in self.clients}

    def participant(self, participant_id: str) -> Participant | None:
        return next((p for p in self.state.participants if p.id == participant_id), None)

    def admit(self, client: Client) -> bool:
        present = self.present()
        if client.participant.id not in present and len(present) >= self.limits.people:
            return False
        self.clients.add(client)
        self.last_active = time.monotonic()
        return True

    def greet(self, client: Client) -> None:
        """What a new socket needs first: the server's state vector (it answers with what we
        lack) and who else is here."""
        client.send(create_sync_message(self.doc))
        others = [i for c in self.clients if c is not client for i in c.awareness_ids]
        if others:
            client.send(create_awareness_message(self.awareness.encode_awareness_update(others)))

    async def leave(self, client: Client) -> None:
        self.clients.discard(client)
        await client.stop()
        if client.awareness_ids:
            ids = list(client.awareness_ids)
            self.awareness.remove_awareness_states(ids, client)
            self._broadcast(create_awareness_message(self.awareness.encode_awareness_update(ids)), client)
        if client.participant.id not in self.present():
            self.ready.discard(client.participant.id)
            self._write_meta()

    # Messages from a socket.
    def receive(self, client: Client, message: bytes) -> None:
        if len(message) > self.limits.max_message_bytes:
            raise Abuse(CLOSE_TOO_LARGE, f"a message over {self.limits.max_message_bytes} bytes")
        if not message:
            return
        kind = message[0]
        if kind == YMessageType.SYNC:
            self._sync(client, message)
        elif kind == YMessageType.AWARENESS:
            if not client.spend():
                raise Abuse(CLOSE_TOO_FAST, "too many messages a second")
            self._awareness(client, message)
        elif kind == _QUERY_AWARENESS:
            ids = [i for c in self.clients for i in c.awareness_ids]
            if ids:
                client.send(create_awareness_message(self.awareness.encode_awareness_update(ids)))

    def _sync(self, client: Client, message: bytes) -> None:
        if len(message) < 2:
            return
        if message[1] == YSyncMessageType.SYNC_STEP1:
            reply = handle_sync_message(message[1:], self.doc)
            if reply is not None:
                client.send(reply)
            return
        if not client.spend():
            raise Abuse(CLOSE_TOO_FAST, "too many updates a second")
        update = read_message(message[2:])
        if update == b"\x00\x00":
            return
        if self._size + len(update) > self.limits.max_doc_bytes:
            raise Abuse(CLOSE_DOCUMENT_FULL, "the room's drawing is too large")
        self._sender = client
        try:
            self.doc.apply_update(update)
        finally:
            self._sender = None
        self._size += len(update)
        self.last_active = time.monotonic()
        self._broadcast(create_update_message(update), client)
        self._on_change()

    def _awareness(self, client: Client, message: bytes) -> None:
        update = read_message(message[1:])
        before = set(self.awareness.states)
        self.awareness.apply_awareness_update(update, client)
        client.awareness_ids |= set(self.awareness.states) - before
        self._broadcast(message, client)

    def _record_authors(self, event: Any) -> None:
        if self._sender is None:
            return
        for change in event.delta:
            for item in change.get("insert", []):
                if isinstance(item, Map):
                    stroke_id = item.get("id")
                    if isinstance(stroke_id, str) and stroke_id not in self.state.authors:
                        self.state.authors[stroke_id] = self._sender.participant.id

    def _broadcast(self, message: bytes, sender: Client | None = None) -> None:
        for client in self.clients:
            if client is not sender:
                client.send(message)

    # The server's own writes.
    def server_change(self, change: Callable[[], None]) -> None:
        """Change the document here and send the change to every socket."""
        before = self.doc.get_state()
        with self.doc.transaction():
            change()
        update = self.doc.get_update(before)
        self._broadcast(create_update_message(update))
        self._on_change()

    def mark_ready(self, participant_id: str) -> None:
        self.ready.add(participant_id)
        self.server_change(self._write_meta)

    def drawing(self) -> list[tuple[str, list[list[float]]]]:
        """Each stroke's author and points, in the order the strokes were started."""
        strokes = []
        for stroke in self.strokes:
            if not isinstance(stroke, Map):
                continue
            points = stroke.get("points")
            author = self.state.authors.get(str(stroke.get("id")))
            if isinstance(points, Array) and author is not None:
                strokes.append((author, [list(p) for p in points.to_py() if isinstance(p, list) and len(p) == 3]))
        return [(author, points) for author, points in strokes if points]

    def next_round(self, prompt: dict[str, str], saved: dict[str, Any]) -> None:
        """The round is stored: a clean canvas and a new prompt, for everyone at once."""

        def change() -> None:
            self.strokes.clear()
            self.state.round += 1
            self.state.prompt = prompt
            self.state.authors = {}
            self.ready.clear()
            self._write_meta()
            self.meta["saved"] = saved

        self.server_change(change)
        self.document()

    def _write_meta(self) -> None:
        if self.meta.get("round") != self.state.round:
            self.meta["round"] = self.state.round
        if self.meta.get("prompt") != self.state.prompt:
            self.meta["prompt"] = self.state.prompt
        ready = sorted(self.ready)
        if self.meta.get("ready") != ready:
            self.meta["ready"] = ready

    def document(self) -> bytes:
        """The whole document, encoded; its size is what the room's limit counts from now on
        (updates in between are counted as they come, an upper bound)."""
        document = self.doc.get_update()
        self._size = len(document)
        return document

    async def close(self, code: int, reason: str) -> None:
        clients, self.clients = list(self.clients), set()
        await asyncio.gather(*(client.close(code, reason) for client in clients))
