"""A lean Redis client for the key-value store's request path: one connection, pipelined.

redis-py took about 80 µs of CPU for each command on the submission path (a pool checkout,
a lock, a stream reader and a timeout per call), three times what the round trip itself
costs; a drawing makes three of them (BENCHMARKS.md, "Ingest", issue 18). This client
writes each command (or a batch of them) to one shared connection as it comes and matches
the replies to their callers in order, as Redis answers them: concurrent requests share
the socket without waiting for one another, and hiredis parses the replies.

What redis-py did for the store and this keeps:
- a command times out after `timeout_s`; the connection is then dropped, so that a reply
  that never comes cannot hold up the commands queued behind it;
- a command that finds its connection dead (Redis restarted since) is sent once more on a
  fresh one, so the first call after an outage does not fail on a corpse;
- errors are redis-py's exception types (`ResponseError`, `BusyLoadingError`), and a lost
  connection is `ConnectionError`, which the store's guard treats as transient.

Subscriptions get a connection each, and a PING when the channel has been quiet a while.

Only `redis://` URLs (host, port, user, password, db) take this path; the store keeps
redis-py for everything else.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import hiredis
import redis.exceptions

Command = tuple[bytes | str | int | float, ...]


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._reader = hiredis.Reader()
        self._waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None
        self.used = False
        # A subscribed connection's published messages (then the error that ended it).
        self.pushed: asyncio.Queue[bytes | BaseException] | None = None
        # Commands sent during one turn of the event loop, written together at its end.
        self._unsent: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while (reply := self._reader.gets()) is not False:
            if self.pushed is not None and type(reply) is list and reply[0] == b"message":
                self.pushed.put_nowait(reply[2])
                continue
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = ConnectionError(f"Redis closed the connection: {exc}" if exc else "Redis closed the connection")
        if self.pushed is not None:
            self.pushed.put_nowait(self.lost)
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(self.lost)

    def send(self, packed: bytes, replies: int) -> list[asyncio.Future[Any]]:
        if self.lost is not None or self._transport is None or self._transport.is_closing():
            raise self.lost or ConnectionError("the connection to Redis is closed")
        self.used = True
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in range(replies)]
        self._waiting.extend(waiters)
        if not self._unsent:
            loop.call_soon(self._flush)
        self._unsent.append(packed)
        return waiters

    def _flush(self) -> None:
        unsent, self._unsent = self._unsent, []
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(b"".join(unsent) if len(unsent) > 1 else unsent[0])

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()


class LeanRedis:
    def __init__(self, host: str, port: int, db: int, username: str | None, password: str | None,
                 timeout_s: float) -> None:
        self._address = (host, port)
        self.db = db
        self._hello: list[Command] = []
        if password is not None:
            # The two-word form, as redis-py's HELLO sends it: a user without a password (the
            # default user of a Redis that asks for none) accepts any, where `AUTH password` fails.
            self._hello.append(("AUTH", username or "default", password))
        if db:
            self._hello.append(("SELECT", db))
        self._timeout_s = timeout_s
        self._connection: _Connection | None = None
        self._connecting: asyncio.Future[_Connection] | None = None
        self._scripts: dict[str, bytes] = {}

    @classmethod
    def from_url(cls, url: str, timeout_s: float) -> LeanRedis | None:
        """A client for a plain `redis://` URL; None for anything else (TLS, sockets, options)."""
        parts = urlsplit(url)
        if parts.scheme != "redis" or parts.query or not parts.hostname:
            return None
        path = parts.path.strip("/")
        if path and not path.isdigit():
            return None
        return cls(parts.hostname, parts.port or 6379, int(path or 0),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password is not None else None, timeout_s)

    async def execute(self, *commands: Command) -> list[Any]:
        """Send the commands in one write and return their replies, in order. An error reply
        raises, after every reply of the batch has come."""
        packed = b"".join(hiredis.pack_command(command) for command in commands)
        async with asyncio.timeout(self._timeout_s):
            for attempt in range(2):
                connection = await self._current()
                reused = connection.used
                try:
                    waiters = connection.send(packed, len(commands))
                    try:
                        replies = [await waiter for waiter in waiters]
                    except asyncio.CancelledError:
                        # Timed out (or given up) before Redis answered: nothing queued behind
                        # this may wait for that answer.
                        # (A task cancelled while it awaits a waiter cancels the waiter.)
                        if any(waiter.cancelled() or not waiter.done() for waiter in waiters):
                            self._drop(connection)
                        _forget(waiters)
                        raise
                    except BaseException:
                        _forget(waiters)
                        raise
                except ConnectionError:
                    self._drop(connection)
                    if attempt == 0 and reused:
                        continue
                    raise
                break
        for reply in replies:
            if isinstance(reply, hiredis.ReplyError):
                raise _error(str(reply))
        return replies

    async def command(self, *command: bytes | str | int | float) -> Any:
        [reply] = await self.execute(command)
        return reply

    async def script(self, source: str, keys: list[str], args: list[Any]) -> Any:
        """EVALSHA, and EVAL the first time Redis does not know the script."""
        digest = self._scripts.get(source)
        if digest is None:
            digest = self._scripts[source] = hashlib.sha1(source.encode()).hexdigest().encode()
        try:
            return await self.command("EVALSHA", digest, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return await self.command("EVAL", source, len(keys), *keys, *args)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, keepalive_s: float = 30.0) -> AsyncIterator[AsyncIterator[bytes]]:
        """The messages published on `channel`, on a connection of their own. A quiet channel
        is checked with a PING every `keepalive_s`; a connection that is lost, or does not
        answer in time, ends the iteration with `ConnectionError` (subscribe again)."""
        connection = await self._connect()
        connection.pushed = asyncio.Queue()
        try:
            async with asyncio.timeout(self._timeout_s):
                [confirmed] = connection.send(hiredis.pack_command(("SUBSCRIBE", channel)), 1)
                await confirmed

            async def messages() -> AsyncIterator[bytes]:
                assert connection.pushed is not None
                while True:
                    try:
                        async with asyncio.timeout(keepalive_s):
                            item = await connection.pushed.get()
                    except TimeoutError:
                        try:
                            async with asyncio.timeout(self._timeout_s):
                                [pong] = connection.send(hiredis.pack_command(("PING",)), 1)
                                await pong
                        except TimeoutError:
                            raise ConnectionError("Redis did not answer a PING on a subscription") from None
                        continue
                    if isinstance(item, BaseException):
                        raise item
                    yield item

            yield messages()
        finally:
            connection.abort()

    async def close(self) -> None:
        if self._connection is not None:
            self._drop(self._connection)

    async def _current(self) -> _Connection:
        connection = self._connection
        if connection is not None and connection.lost is None:
            return connection
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, connecting: asyncio.Future[_Connection]) -> None:
        self._connecting = None
        if not connecting.cancelled() and connecting.exception() is None:
            self._connection = connecting.result()

    async def _connect(self) -> _Connection:
        # Bounded on its own: every caller waits on this one attempt, and a host that
        # accepts and never answers must not hold them all once their own time is up.
        loop = asyncio.get_running_loop()
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(self._timeout_s):
                _, connection = await loop.create_connection(_Connection, *self._address)
                if self._hello:
                    waiters = connection.send(b"".join(hiredis.pack_command(c) for c in self._hello), len(self._hello))
                    for reply in [await waiter for waiter in waiters]:
                        if isinstance(reply, hiredis.ReplyError):
                            raise _error(str(reply))
        except BaseException:
            if connection is not None:
                connection.abort()
            raise
        connection.used = False
        return connection

    def _drop(self, connection: _Connection) -> None:
        connection.abort()
        if self._connection is connection:
            self._connection = None


def _forget(waiters: list[asyncio.Future[Any]]) -> None:
    """The replies of a batch given up on are not wanted: their errors are not worth a log."""
    for waiter in waiters:
        waiter.add_done_callback(lambda done: done.cancelled() or done.exception())


def _error(message: str) -> redis.exceptions.RedisError:
    if message.startswith("NOSCRIPT"):
        return redis.exceptions.NoScriptError(message)
    if message.startswith("LOADING"):
        return redis.exceptions.BusyLoadingError(message)
    if message.startswith(("NOAUTH", "WRONGPASS", "ERR AUTH", "ERR invalid password", "ERR Client sent AUTH")):
        return redis.exceptions.AuthenticationError(message)
    return redis.exceptions.ResponseError(message)
