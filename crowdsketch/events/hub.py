"""The relay of one admin-serving process: receives every event (see `bus.py` for how),
numbers it, keeps the last `BUFFER` for clients that reconnect with `?since=`, and hands it
to each connected socket's queue.

A client's queue is bounded: a client too slow to keep up is dropped (closed with 1013,
"try again later") rather than allowed to grow the server's memory; it reconnects with the
last id it saw. Ids are `<boot>.<n>`: a client resuming with an id of another process or an
earlier run, or one older than the buffer, is told to `resync` (reload what it shows).

Events whose type starts with `admin.` are the relay's own business and reach no client:
`admin.logout` closes the sockets of the session that logged out (with 4401).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from crowdsketch.events.bus import DATAGRAM_BYTES, EVENTS_CHANNEL, SUBSCRIPTION_RENEW_S, EventBus

if TYPE_CHECKING:
    from crowdsketch.ports.kv import KeyValueStore

logger = logging.getLogger(__name__)

BUFFER = 1000
CLIENT_QUEUE = 256
CLOSE_SLOW = 1013
CLOSE_SESSION_ENDED = 4401


@dataclass(eq=False)
class Client:
    session: str  # session_tag of the admin's session
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(CLIENT_QUEUE))
    closed: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def close(self, code: int) -> None:
        if not self.closed.done():
            self.closed.set_result(code)


class EventHub:
    def __init__(self, bus: EventBus, kv: KeyValueStore) -> None:
        self._bus = bus
        self._kv = kv
        self._boot = secrets.token_hex(4)
        self._sequence = 0
        self._buffer: deque[dict[str, Any]] = deque(maxlen=BUFFER)
        self._clients: set[Client] = set()
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None
        # Other processes following the embedded stream (`EventBus.subscribe`): address → until.
        self._followers: dict[bytes, float] = {}

    @property
    def clients(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        if self._bus.distributed:
            self._task = asyncio.create_task(self._listen())
        else:
            try:
                self._bind()
            except OSError:  # e.g. a data dir path too long for a socket where there is no abstract name
                logger.warning("events from other processes (the worker) will not reach this server's stream",
                               extra={"address": str(self._bus.address)}, exc_info=True)
            self._bus.attach(self.deliver)

    async def stop(self) -> None:
        self._bus.attach(None)
        for client in list(self._clients):
            client.close(1001)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._socket is not None:
            asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            if isinstance(self._bus.address, str):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._bus.address)

    def connect(self, session: str, since: str | None) -> tuple[Client, list[dict[str, Any]] | None]:
        """A new client, and what it missed since `since` (None: it must resync)."""
        client = Client(session)
        self._clients.add(client)
        if since is None:
            return client, []
        ids = [event["id"] for event in self._buffer]
        if since in ids:
            return client, list(self._buffer)[ids.index(since) + 1:]
        if since == f"{self._boot}.{self._sequence}" or since == f"{self._boot}.0":
            return client, []
        return client, None

    def disconnect(self, client: Client) -> None:
        self._clients.discard(client)

    def deliver(self, event: dict[str, Any]) -> None:
        if event["type"].startswith("admin."):
            self._internal(event)
            return
        self._sequence += 1
        event = {**event, "id": f"{self._boot}.{self._sequence}"}
        self._buffer.append(event)
        if self._followers:
            self._copy_to_followers(event)
        for client in list(self._clients):
            try:
                client.queue.put_nowait(event)
            except asyncio.QueueFull:
                client.close(CLOSE_SLOW)
                self._clients.discard(client)

    def _copy_to_followers(self, event: dict[str, Any]) -> None:
        assert self._socket is not None
        payload, now = orjson.dumps(event), time.monotonic()
        for address, until in list(self._followers.items()):
            try:
                if until < now:
                    raise ConnectionRefusedError
                self._socket.sendto(payload, address)
            except (ConnectionRefusedError, FileNotFoundError):
                del self._followers[address]  # it stopped listening
            except BlockingIOError:
                pass  # it is behind: this event is lost to it

    def _internal(self, event: dict[str, Any]) -> None:
        if event["type"] == "admin.subscribe" and self._socket is not None:
            self._followers[event["data"]["address"].encode()] = time.monotonic() + 3 * SUBSCRIPTION_RENEW_S
        elif event["type"] == "admin.logout":
            for client in list(self._clients):
                if client.session == event["data"].get("session"):
                    client.close(CLOSE_SESSION_ENDED)

    def _bind(self) -> None:
        address = self._bus.address
        if isinstance(address, str):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)  # left by a server that did not stop cleanly
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(address)
        if isinstance(address, str):
            os.chmod(address, 0o600)  # only this user's processes may publish
        self._socket = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._receive)

    def _receive(self) -> None:
        assert self._socket is not None
        while True:
            try:
                payload = self._socket.recv(DATAGRAM_BYTES)
            except (BlockingIOError, InterruptedError):
                return
            try:
                self.deliver(orjson.loads(payload))
            except Exception:  # noqa: BLE001 - a malformed datagram is dropped, not fatal
                logger.warning("dropped a malformed event datagram", exc_info=True)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._kv.subscribe(EVENTS_CHANNEL) as messages:
                    async for message in messages:
                        try:
                            self.deliver(orjson.loads(message))
                        except Exception:  # noqa: BLE001 - as above
                            logger.warning("dropped a malformed event", exc_info=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - pub/sub lost: clients will be told to resync
                logger.warning("the event stream from Redis was lost; retrying", exc_info=True)
                await asyncio.sleep(1.0)
