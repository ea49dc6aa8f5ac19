"""Key-value store port: sessions, idempotency records, caches and pub/sub.

Contract: values are bytes; `ttl_s` is seconds to live (None: no expiry); `set_nx` sets only
when the key is absent and says whether it did, atomically across every process that shares
the store; `publish` delivers a message to every current subscriber of the channel (no
history); `subscribe` yields messages until the context exits; `incr` adds one to a counter
and says how long its window has left (the window, `ttl_s`, starts with the first `incr`). Connection failures raise
`ConnectionError`/`TimeoutError` (or the adapter's listed transient errors).

Redis keeps one set of pub/sub channels for the whole server, whatever database a client
selected; the Redis stores name a channel after their database (`scoped_channel`), so that
two deployments on one Redis, each on its own database, hear only their own messages, as
they see only their own keys.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import redis.asyncio as aioredis
import redis.exceptions
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from crowdsketch.ports.resp import LeanRedis


class KeyValueStore(Protocol):
    transient_errors: tuple[type[BaseException], ...]

    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None: ...
    async def set_nx(self, key: str, value: bytes, ttl_s: float | None = None) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def incr(self, key: str, ttl_s: float) -> tuple[int, float]: ...
    # Several at once, in one round trip: (count, seconds left) for each (key, ttl_s); and
    # each (key, value, ttl_s) set.
    async def incr_many(self, keys: Sequence[tuple[str, float]]) -> list[tuple[int, float]]: ...
    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None: ...
    # Each (key, ttl_s, limit) counted as by incr_many; then, only when no count passed its
    # limit, `set_nx(key, value, ttl_s)`: atomically, in one round trip. The counts, and
    # whether the key was set (None: not tried).
    async def incr_many_then_set_nx(self, counters: Sequence[tuple[str, float, int]], key: str, value: bytes,
                                    ttl_s: float) -> tuple[list[tuple[int, float]], bool | None]: ...
    async def publish(self, channel: str, message: bytes) -> None: ...
    def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryKeyValueStore:
    """In-process twin of Redis for the embedded stack: one process, so one dict is atomic."""

    transient_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float | None]] = {}
        self._subscribers: dict[str, set[asyncio.Queue[bytes]]] = defaultdict(set)
        self._writes_since_sweep = 0

    async def get(self, key: str) -> bytes | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= time.monotonic():
            del self._data[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._data[key] = (value, time.monotonic() + ttl_s if ttl_s else None)
        self._sweep_now_and_then()

    async def set_nx(self, key: str, value: bytes, ttl_s: float | None = None) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, ttl_s: float) -> tuple[int, float]:
        now = time.monotonic()
        current = await self.get(key)
        expires_at = self._data[key][1] if current is not None else None
        if expires_at is None:
            expires_at = now + ttl_s
        count = int(current or 0) + 1
        self._data[key] = (str(count).encode(), expires_at)
        self._sweep_now_and_then()
        return count, expires_at - now

    async def incr_many(self, keys: Sequence[tuple[str, float]]) -> list[tuple[int, float]]:
        return [await self.incr(key, ttl_s) for key, ttl_s in keys]

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        for key, value, ttl_s in items:
            await self.set(key, value, ttl_s)

    async def incr_many_then_set_nx(self, counters: Sequence[tuple[str, float, int]], key: str, value: bytes,
                                    ttl_s: float) -> tuple[list[tuple[int, float]], bool | None]:
        counts = await self.incr_many([(name, window) for name, window, _ in counters])
        if any(count > limit for (count, _), (_, _, limit) in zip(counts, counters, strict=True)):
            return counts, None
        return counts, await self.set_nx(key, value, ttl_s)

    async def publish(self, channel: str, message: bytes) -> None:
        for queue in self._subscribers.get(channel, ()):
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._subscribers[channel].add(queue)

        async def messages() -> AsyncIterator[bytes]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._subscribers[channel].discard(queue)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()

    def _sweep_now_and_then(self) -> None:
        # Expired keys nobody reads again would otherwise stay for the life of the process.
        self._writes_since_sweep += 1
        if self._writes_since_sweep < 10_000:
            return
        self._writes_since_sweep = 0
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]


# Each KEYS[i] counted, its window (ARGV[i] ms) started by its first count; the count and
# the milliseconds left of the window, for each key in turn.
_INCR_WITH_WINDOW = """
local replies = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    redis.call('PEXPIRE', key, ARGV[i], 'NX')
    replies[#replies + 1] = count
    replies[#replies + 1] = redis.call('PTTL', key)
end
return replies
"""


# As _INCR_WITH_WINDOW for KEYS[1..n] (windows ARGV[1..n], limits ARGV[n+1..2n]); then,
# when no count passed its limit, SET KEYS[n+1] ARGV[2n+1] PX ARGV[2n+2] NX: 1 set, 0 not,
# -1 not tried.
_INCR_THEN_SET_NX = """
local n = #KEYS - 1
local replies = {}
local over = false
for i = 1, n do
    local count = redis.call('INCR', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], ARGV[i], 'NX')
    replies[#replies + 1] = count
    replies[#replies + 1] = redis.call('PTTL', KEYS[i])
    if count > tonumber(ARGV[n + i]) then over = true end
end
if over then
    replies[#replies + 1] = -1
elseif redis.call('SET', KEYS[n + 1], ARGV[2 * n + 1], 'PX', ARGV[2 * n + 2], 'NX') then
    replies[#replies + 1] = 1
else
    replies[#replies + 1] = 0
end
return replies
"""


def scoped_channel(channel: str, db: int) -> str:
    """The Redis channel a store on database `db` uses for `channel`: the name itself on
    database 0 (what every release before this one used), `db<N>:` before it on any other."""
    return channel if db == 0 else f"db{db}:{channel}"


class RedisKeyValueStore:
    """The store on Redis through redis-py: for the URLs the lean client does not take
    (`rediss://`, sockets, options in the query)."""

    transient_errors: tuple[type[BaseException], ...] = (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.BusyLoadingError,
        OSError,
    )

    def __init__(self, url: str, timeout_s: float) -> None:
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=30,
            max_connections=256,
            # Retries belong to the guard around this store, with one exception: a pooled
            # connection that died during an outage is replaced and the command sent once more
            # on a fresh one, so the first call after Redis is back does not fail on a corpse
            # (and hold the breaker open another reset period). A reply lost after Redis ran
            # the command runs it twice: a 409 on an idempotency claim, or one extra count.
            retry=Retry(NoBackoff(), 1, (redis.exceptions.ConnectionError,)),
        )
        self._db = int(self._redis.connection_pool.connection_kwargs.get("db") or 0)
        self._incr_script = self._redis.register_script(_INCR_WITH_WINDOW)
        self._incr_then_set_nx_script = self._redis.register_script(_INCR_THEN_SET_NX)

    async def get(self, key: str) -> bytes | None:
        return await self._redis.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        await self._redis.set(key, value, px=_millis(ttl_s))

    async def set_nx(self, key: str, value: bytes, ttl_s: float | None = None) -> bool:
        return bool(await self._redis.set(key, value, px=_millis(ttl_s), nx=True))

    async def delete(self, key: str) -> None:
        await self._redis.delete(key)

    async def incr(self, key: str, ttl_s: float) -> tuple[int, float]:
        [counted] = await self.incr_many([(key, ttl_s)])
        return counted

    async def incr_many(self, keys: Sequence[tuple[str, float]]) -> list[tuple[int, float]]:
        # One script, atomic like MULTI/EXEC and one reply to parse instead of 3 per key.
        return _counts(await self._incr_script(keys=[key for key, _ in keys], args=[_millis(ttl) for _, ttl in keys]))

    async def incr_many_then_set_nx(self, counters: Sequence[tuple[str, float, int]], key: str, value: bytes,
                                    ttl_s: float) -> tuple[list[tuple[int, float]], bool | None]:
        keys, args = _incr_then_set_nx_args(counters, key, value, ttl_s)
        return _counts_and_claim(await self._incr_then_set_nx_script(keys=keys, args=args))

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, value, ttl_s in items:
                pipe.set(key, value, px=_millis(ttl_s))
            await pipe.execute()

    async def publish(self, channel: str, message: bytes) -> None:
        await self._redis.publish(scoped_channel(channel, self._db), message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(scoped_channel(channel, self._db))

        async def messages() -> AsyncIterator[bytes]:
            # Polled with a timeout: a blocking read would trip the socket timeout while
            # the channel is merely quiet.
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None and message["type"] == "message":
                    yield message["data"]

        try:
            yield messages()
        finally:
            await pubsub.aclose()

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


class LeanRedisKeyValueStore:
    """The store on Redis through the lean client (`resp.py`), for plain `redis://` URLs:
    one shared connection, the commands of one turn of the event loop in one write."""

    transient_errors = RedisKeyValueStore.transient_errors

    def __init__(self, client: LeanRedis) -> None:
        self._client = client

    async def get(self, key: str) -> bytes | None:
        return await self._client.command("GET", key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        await self._client.command(*_set(key, value, ttl_s))

    async def set_nx(self, key: str, value: bytes, ttl_s: float | None = None) -> bool:
        return await self._client.command(*_set(key, value, ttl_s), "NX") is not None

    async def delete(self, key: str) -> None:
        await self._client.command("DEL", key)

    async def incr(self, key: str, ttl_s: float) -> tuple[int, float]:
        [counted] = await self.incr_many([(key, ttl_s)])
        return counted

    async def incr_many(self, keys: Sequence[tuple[str, float]]) -> list[tuple[int, float]]:
        return _counts(await self._client.script(_INCR_WITH_WINDOW, [k for k, _ in keys], [_millis(t) for _, t in keys]))

    async def incr_many_then_set_nx(self, counters: Sequence[tuple[str, float, int]], key: str, value: bytes,
                                    ttl_s: float) -> tuple[list[tuple[int, float]], bool | None]:
        keys, args = _incr_then_set_nx_args(counters, key, value, ttl_s)
        return _counts_and_claim(await self._client.script(_INCR_THEN_SET_NX, keys, args))

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        await self._client.execute(*(_set(key, value, ttl_s) for key, value, ttl_s in items))

    async def publish(self, channel: str, message: bytes) -> None:
        await self._client.command("PUBLISH", scoped_channel(channel, self._client.db), message)

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        return self._client.subscribe(scoped_channel(channel, self._client.db))

    async def ping(self) -> None:
        await self._client.command("PING")

    async def close(self) -> None:
        await self._client.close()


def _counts(replies: list[int]) -> list[tuple[int, float]]:
    """A counting script's replies, (count, ms left) for each key in turn: (count, s left)."""
    return [(int(replies[i]), max(0.0, replies[i + 1] / 1000)) for i in range(0, len(replies) - 1, 2)]


def _counts_and_claim(replies: list[int]) -> tuple[list[tuple[int, float]], bool | None]:
    return _counts(replies[:-1]), None if replies[-1] == -1 else replies[-1] == 1


def _incr_then_set_nx_args(counters: Sequence[tuple[str, float, int]], key: str, value: bytes,
                           ttl_s: float) -> tuple[list[str], list[Any]]:
    keys = [*(name for name, _, _ in counters), key]
    args = [*(_millis(window) for _, window, _ in counters), *(limit for _, _, limit in counters), value, _millis(ttl_s)]
    return keys, args


def _set(key: str, value: bytes, ttl_s: float | None) -> tuple[str | bytes | int, ...]:
    millis = _millis(ttl_s)
    return ("SET", key, value) if millis is None else ("SET", key, value, "PX", millis)


def _millis(ttl_s: float | None) -> int | None:
    return max(1, int(ttl_s * 1000)) if ttl_s else None


def key_value_store_from_url(url: str | None, timeout_s: float) -> KeyValueStore:
    if not url:
        return MemoryKeyValueStore()
    lean = LeanRedis.from_url(url, timeout_s)
    return LeanRedisKeyValueStore(lean) if lean is not None else RedisKeyValueStore(url, timeout_s)
