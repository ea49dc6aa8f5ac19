"""One contract, three adapters: the in-process memory store, and Redis through the lean
client (`redis://` URLs) and through redis-py (the URLs the lean client does not take).

Every test here runs against each; a behaviour that differs between them is a bug in one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from crowdsketch.ports.kv import (
    KeyValueStore, LeanRedisKeyValueStore, MemoryKeyValueStore, RedisKeyValueStore, key_value_store_from_url,
)
from tests.conftest import REDIS_HOST, REDIS_PORT, require_service
from tests.support.stacks import redis_test_db
from tests.support.waiting import DEADLINE_S, eventually


@pytest.fixture(params=["memory", "redis", "redis-py"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    if request.param == "memory":
        memory = MemoryKeyValueStore()
        yield memory
        await memory.close()
        return

    require_service("Redis", REDIS_HOST, REDIS_PORT)
    import redis.asyncio as aioredis

    admin = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_test_db())
    try:
        await admin.flushdb()
    finally:
        await admin.aclose()
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}"
    redis_store = (key_value_store_from_url(url, timeout_s=1.0) if request.param == "redis"
                   else RedisKeyValueStore(url, timeout_s=1.0))
    assert isinstance(redis_store, LeanRedisKeyValueStore if request.param == "redis" else RedisKeyValueStore)
    try:
        yield redis_store
    finally:
        await redis_store.close()


async def _is_gone(store: KeyValueStore, key: str) -> bool:
    return await store.get(key) is None


def _key(name: str) -> str:
    return f"test:{name}:{uuid.uuid4().hex[:8]}"


async def _next_message_while_publishing(
    store: KeyValueStore, messages: AsyncIterator[bytes], channel: str, message: bytes
) -> bytes:
    """Publish `message` and wait for the next message the subscriber reads.

    The publish is repeated until a message arrives (or the deadline passes) so the test
    does not depend on when the server registers the subscription; one pending read is
    kept across repeats, since cancelling a read would close the iterator.
    """
    reader = asyncio.ensure_future(anext(messages))  # type: ignore[arg-type]
    deadline = time.monotonic() + DEADLINE_S
    try:
        while True:
            await store.publish(channel, message)
            done, _ = await asyncio.wait({reader}, timeout=0.1)
            if done:
                return reader.result()
            if time.monotonic() > deadline:
                # The final read is bounded by wait_for, as with any other read.
                return await asyncio.wait_for(asyncio.shield(reader), timeout=0.5)
    finally:
        if not reader.done():
            reader.cancel()


async def test_get_of_a_missing_key_is_none(store: KeyValueStore) -> None:
    assert await store.get(_key("missing")) is None


async def test_set_then_get_round_trips_bytes(store: KeyValueStore) -> None:
    key = _key("round-trip")
    value = bytes(range(256)) + b"\x00tail"
    await store.set(key, value)
    assert await store.get(key) == value


async def test_set_overwrites(store: KeyValueStore) -> None:
    key = _key("overwrite")
    await store.set(key, b"one")
    await store.set(key, b"two")
    assert await store.get(key) == b"two"


async def test_a_key_with_a_long_ttl_is_readable(store: KeyValueStore) -> None:
    key = _key("long-ttl")
    await store.set(key, b"value", ttl_s=60)
    assert await store.get(key) == b"value"


async def test_a_key_expires_after_its_ttl(store: KeyValueStore) -> None:
    key = _key("ttl")
    await store.set(key, b"short-lived", ttl_s=0.2)
    await eventually(lambda: _is_gone(store, key), "the key expired")
    assert await store.get(key) is None


async def test_set_nx_sets_only_when_absent(store: KeyValueStore) -> None:
    key = _key("nx")
    assert await store.set_nx(key, b"first") is True
    assert await store.set_nx(key, b"second") is False
    assert await store.get(key) == b"first"
    await store.delete(key)
    assert await store.get(key) is None
    assert await store.set_nx(key, b"third") is True
    assert await store.get(key) == b"third"


async def test_set_nx_after_expiry_succeeds(store: KeyValueStore) -> None:
    key = _key("nx-ttl")
    assert await store.set_nx(key, b"first", ttl_s=0.2) is True
    await eventually(lambda: store.set_nx(key, b"second"), "set_nx succeeded once the ttl passed")
    assert await store.get(key) == b"second"


async def test_delete_of_a_missing_key_is_not_an_error(store: KeyValueStore) -> None:
    await store.delete(_key("never-set"))


async def test_concurrent_set_nx_has_exactly_one_winner(store: KeyValueStore) -> None:
    key = _key("race")
    results = await asyncio.gather(*(store.set_nx(key, f"{i}".encode()) for i in range(50)))
    assert results.count(True) == 1
    assert results.count(False) == 49
    winner = results.index(True)
    assert await store.get(key) == f"{winner}".encode()


async def test_publish_reaches_a_subscriber(store: KeyValueStore) -> None:
    channel = _key("channel")
    async with store.subscribe(channel) as messages:
        received = await _next_message_while_publishing(store, messages, channel, b"hello")
    assert received == b"hello"


async def test_publish_reaches_every_subscriber(store: KeyValueStore) -> None:
    channel = _key("fan-out")
    async with store.subscribe(channel) as first, store.subscribe(channel) as second:
        assert await _next_message_while_publishing(store, first, channel, b"to all") == b"to all"
        assert await _next_message_while_publishing(store, second, channel, b"to all") == b"to all"


async def test_a_message_on_another_channel_is_not_received(store: KeyValueStore) -> None:
    channel, other = _key("mine"), _key("other")
    async with store.subscribe(channel) as messages:
        # The message to the other channel goes first; if it leaked through it would be
        # the first one read.
        await store.publish(other, b"not for you")
        received = await _next_message_while_publishing(store, messages, channel, b"for you")
        assert received == b"for you"
        await store.publish(other, b"still not for you")
        # Drain what is left (repeats of b"for you") until the channel goes quiet.
        rest: list[bytes] = []
        while True:
            try:
                rest.append(await asyncio.wait_for(anext(messages), timeout=0.3))  # type: ignore[arg-type]
            except TimeoutError:
                break
        assert set(rest) <= {b"for you"}


@pytest.mark.parametrize("adapter", ["redis", "redis-py"])
async def test_deployments_on_two_databases_of_one_redis_hear_only_their_own_messages(adapter: str) -> None:
    """Redis shares pub/sub channels across its databases; a store keeps them apart, so an
    admin of one deployment never sees another's job events or model changes."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    mine = redis_test_db()
    other = next(db for db in range(1, 16) if db != mine)  # only pub/sub here: no key is written

    def open_store(db: int) -> KeyValueStore:
        url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
        return key_value_store_from_url(url, timeout_s=1.0) if adapter == "redis" else RedisKeyValueStore(url, timeout_s=1.0)

    here, neighbour, here_too = open_store(mine), open_store(other), open_store(mine)
    channel = _key("deployment")
    try:
        async with here.subscribe(channel) as messages:
            await neighbour.publish(channel, b"the neighbour's")
            # Another process of the same deployment is heard; the neighbour's message, sent
            # first, would be the first read had it crossed over.
            assert await _next_message_while_publishing(here_too, messages, channel, b"ours") == b"ours"
    finally:
        for store in (here, neighbour, here_too):
            await store.close()


async def test_ping(store: KeyValueStore) -> None:
    await store.ping()


async def test_counting_then_setting_if_absent_sets_only_under_every_limit(store: KeyValueStore) -> None:
    counter, other, claim = _key("counter"), _key("other"), _key("claim")
    counters = [(counter, 60.0, 2), (other, 60.0, 5)]

    counts, claimed = await store.incr_many_then_set_nx(counters, claim, b"mine", 30)
    assert [count for count, _ in counts] == [1, 1] and claimed is True
    assert all(0 < left <= 60 for _, left in counts)
    assert await store.get(claim) == b"mine"

    counts, claimed = await store.incr_many_then_set_nx(counters, claim, b"theirs", 30)
    assert [count for count, _ in counts] == [2, 2] and claimed is False, "the key is taken: not set again"
    assert await store.get(claim) == b"mine"

    await store.delete(claim)
    counts, claimed = await store.incr_many_then_set_nx(counters, claim, b"late", 30)
    assert [count for count, _ in counts] == [3, 3] and claimed is None, "past a limit the key is not tried"
    assert await store.get(claim) is None

    counts, claimed = await store.incr_many_then_set_nx([], claim, b"alone", 30)
    assert counts == [] and claimed is True
