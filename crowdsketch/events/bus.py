"""The one publish call for producers: `await resources.events.publish(type, data)`.

An event is `{id, type, at, data}`: `at` is when it happened at its source, `id` is given by
the relay that hands it to the sockets (`events/hub.py`). Publishing is best effort and
never raises: an admin's live view missing an event is resynchronised, while a training
job or a submission failing because a dashboard could not be told would be wrong.

How an event travels depends on the stack:
- distributed: Redis pub/sub on `EVENTS_CHANNEL` (the key-value port); every admin process
  relays what it receives to its own sockets.
- embedded: the serving process holds the relay. Its own events go straight in; another
  process on the same data dir (the worker child, a `crowdsketch train` in a terminal)
  sends each event as one datagram to a Unix socket the relay listens on (`socket_address`):
  no database polling, and nothing is sent when no server is listening.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from crowdsketch.ports.kv import KeyValueStore
    from crowdsketch.settings import Settings

logger = logging.getLogger(__name__)

EVENTS_CHANNEL = "crowdsketch:events"
DATAGRAM_BYTES = 65536
# A process following the embedded stream asks again this often; the relay forgets it after
# three missed renewals (a follower that died).
SUBSCRIPTION_RENEW_S = 10.0
PUBLISH_TIMEOUT_S = 1.0
# Longest path a Unix socket address may have, with room to spare.
MAX_SOCKET_PATH = 100

Deliver = Callable[[dict[str, Any]], None]


def socket_address(data_dir: Path) -> str | bytes:
    """The embedded relay's datagram socket: a file in the data dir, or (a path too long for
    a socket address) a Linux abstract name derived from it."""
    path = str((data_dir / "events.sock").resolve())
    if len(path) <= MAX_SOCKET_PATH or not sys.platform.startswith("linux"):
        return path
    return b"\0crowdsketch-events-" + hashlib.sha256(path.encode()).hexdigest()[:32].encode()


def session_tag(session_id: str) -> str:
    """Names an admin session in an event without being able to act as it."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:16]


def event(type_: str, data: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    return {"id": None, "type": type_, "at": (at or datetime.now(UTC)).isoformat(), "data": data}


class EventBus:
    def __init__(self, settings: Settings, kv: KeyValueStore) -> None:
        self._kv = kv
        self.distributed = settings.redis_url is not None
        self.address = socket_address(settings.data_dir)
        self._local: Deliver | None = None
        self._socket: socket.socket | None = None

    def attach(self, deliver: Deliver | None) -> None:
        """The relay of this process (embedded): its events skip the socket."""
        self._local = deliver

    async def publish(self, type_: str, data: dict[str, Any], at: datetime | None = None) -> None:
        message = event(type_, data, at)
        try:
            if self.distributed:
                async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                    await self._kv.publish(EVENTS_CHANNEL, orjson.dumps(message))
            elif self._local is not None:
                self._local(message)
            else:
                self._send(orjson.dumps(message))
        except Exception:  # noqa: BLE001 - see the module's docstring: never the producer's failure
            logger.debug("an event was not published", extra={"eventType": type_}, exc_info=True)

    def _send(self, payload: bytes, *, strict: bool = False) -> None:
        if self._socket is None:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
        try:
            self._socket.sendto(payload, self.address)
        except (FileNotFoundError, ConnectionRefusedError, BlockingIOError):
            if strict:
                raise
            # No server listening, or it is behind: the event is dropped.


    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[dict[str, Any]] | None]:
        """The events as they are published (None on the embedded stack when no server is
        listening). Embedded, this process binds a datagram socket of its own and asks the
        serving process's relay to copy every event to it, renewing the ask while it listens."""
        if self.distributed:
            async with self._kv.subscribe(EVENTS_CHANNEL) as messages:
                yield (orjson.loads(message) async for message in messages)
            return
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.setblocking(False)
        address = "\0crowdsketch-follow-" + secrets.token_hex(8)
        listener.bind(address.encode())
        ask = orjson.dumps(event("admin.subscribe", {"address": address}))
        try:
            self._send(ask, strict=True)
        except OSError:
            listener.close()
            yield None
            return
        renewing = asyncio.create_task(self._renew(ask))
        try:
            yield _datagrams(listener)
        finally:
            renewing.cancel()
            listener.close()

    async def _renew(self, ask: bytes) -> None:
        while True:
            await asyncio.sleep(SUBSCRIPTION_RENEW_S)
            self._send(ask)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


async def _datagrams(listener: socket.socket) -> AsyncIterator[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    while True:
        yield orjson.loads(await loop.sock_recv(listener, DATAGRAM_BYTES))
