"""The lean Redis client (`crowdsketch/ports/resp.py`) against a real Redis: what its module
docstring promises. One shared connection, replies matched to their callers in order; a
command that times out (or whose caller gives up) drops the connection; a command that finds
its connection dead is sent once more on a fresh one; errors are redis-py's types, a lost
connection the builtin `ConnectionError`.

Outages go through a `TcpProxy` in front of Redis: "down" cuts connections and refuses new
ones, "blackhole" accepts them and swallows every byte.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
import redis.exceptions

from crowdsketch.ports.kv import RedisKeyValueStore
from crowdsketch.ports.resp import LeanRedis
from tests.conftest import REDIS_HOST, REDIS_PORT, require_service
from tests.support.stacks import redis_test_db
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import DEADLINE_S, eventually

# Generous where nothing is meant to time out; short where the test waits for a timeout.
PATIENT_S = 10.0
SHORT_S = 0.3


@pytest.fixture
async def admin() -> AsyncIterator[aioredis.Redis]:
    """redis-py on the test database, flushed: the test's independent view of Redis."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    client = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_test_db())
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def proxy(admin: aioredis.Redis) -> Iterator[TcpProxy]:
    tcp = TcpProxy(REDIS_HOST, REDIS_PORT).start()
    try:
        yield tcp
    finally:
        tcp.stop()


def _lean(port: int = REDIS_PORT, timeout_s: float = PATIENT_S) -> LeanRedis:
    lean = LeanRedis.from_url(f"redis://{REDIS_HOST}:{port}/{redis_test_db()}", timeout_s)
    assert lean is not None
    return lean


def _key(name: str) -> str:
    return f"test:resp:{name}:{uuid.uuid4().hex[:8]}"


async def _blocked(admin: aioredis.Redis, client_id: int) -> bool:
    return any(int(c["id"]) == client_id and c.get("cmd") == "blpop" for c in await admin.client_list())


async def _gone(admin: aioredis.Redis, client_id: int) -> bool:
    return client_id not in {int(c["id"]) for c in await admin.client_list()}


async def test_concurrent_callers_get_their_own_replies_over_one_connection(admin: aioredis.Redis) -> None:
    lean = _lean()
    keys = [_key(f"c{i}") for i in range(500)]
    # A few values large enough to arrive in several reads, among the small ones.
    values = [(b"x" * 300_000 if i % 100 == 7 else b"") + f"value-{i}".encode() for i in range(500)]

    async def one(key: str, value: bytes) -> list[object]:
        return await lean.execute(("SET", key, value), ("GET", key), ("CLIENT", "ID"))

    try:
        replies = await asyncio.gather(*(one(k, v) for k, v in zip(keys, values, strict=True)))
        singles = await asyncio.gather(*(lean.command("GET", k) for k in keys))
        stored = await admin.mget(keys)
        # The callers whose reply (or whose key in Redis) is not their own value.
        assert [i for i, value in enumerate(values) if replies[i][1] != value] == []
        assert [i for i, value in enumerate(values) if singles[i] != value] == []
        assert [i for i, value in enumerate(values) if stored[i] != value] == []
        assert {reply[0] for reply in replies} == {b"OK"}
        # Every caller, the 500 that started at once included, used the same connection.
        assert len({reply[2] for reply in replies}) == 1
    finally:
        await lean.close()


async def test_a_batch_answers_in_order_and_an_error_reply_raises_after_the_whole_batch(
    admin: aioredis.Redis,
) -> None:
    lean = _lean()
    first, word, last = _key("first"), _key("word"), _key("last")
    try:
        assert await lean.execute(("SET", first, 1), ("INCR", first), ("GET", first), ("GET", _key("none"))) == [
            b"OK", 2, b"2", None,
        ]
        connection = await lean.command("CLIENT", "ID")
        await lean.command("SET", word, "not a number")
        with pytest.raises(redis.exceptions.ResponseError, match="not an integer"):
            await lean.execute(("SET", first, "a"), ("INCR", word), ("SET", last, "z"))
        # The commands after the failing one ran, and their replies were read: the connection
        # is in step and still the same one.
        assert await admin.mget([first, last]) == [b"a", b"z"]
        assert await lean.execute(("GET", last), ("CLIENT", "ID")) == [b"z", connection]
    finally:
        await lean.close()


async def test_a_script_runs_the_first_time_redis_does_not_know_it_and_after(admin: aioredis.Redis) -> None:
    lean = _lean()
    # A script of its own, so Redis cannot know it yet (without flushing everyone's scripts).
    source = f"-- {uuid.uuid4().hex}\nreturn {{redis.call('INCRBY', KEYS[1], ARGV[1]), ARGV[2]}}"
    key = _key("script")
    try:
        [digest] = await admin.script_exists(hashlib.sha1(source.encode()).hexdigest())
        assert digest is False
        assert await lean.script(source, [key], [5, "five"]) == [5, b"five"]
        assert await lean.script(source, [key], [2, "two"]) == [7, b"two"]
        assert await admin.get(key) == b"7"
        with pytest.raises(redis.exceptions.ResponseError):
            await lean.script("return redis.call('NO-SUCH-COMMAND')", [], [])
        assert await lean.command("GET", key) == b"7"
    finally:
        await lean.close()


async def test_the_url_selects_the_database(admin: aioredis.Redis) -> None:
    db = redis_test_db()
    other = LeanRedis.from_url(f"redis://{REDIS_HOST}:{REDIS_PORT}", PATIENT_S)
    lean, key = _lean(), _key("db")
    assert other is not None and db != 0
    try:
        await lean.command("SET", key, "here")
        assert await admin.get(key) == b"here"
        # No path: database 0 (and the default port), where the key is not.
        assert await other.command("GET", key) is None
        assert await other.command("CLIENT", "INFO") != await lean.command("CLIENT", "INFO")
        assert f" db={db} ".encode() in await lean.command("CLIENT", "INFO")
    finally:
        await lean.close()
        await other.close()


async def test_the_url_authenticates_as_its_user(admin: aioredis.Redis) -> None:
    user, password = f"crowdsketch-test-{uuid.uuid4().hex[:8]}", "p@ss:w/rd%"
    await admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "+@all")
    encoded = "p%40ss%3Aw%2Frd%25"
    good = LeanRedis.from_url(f"redis://{user}:{encoded}@{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}", PATIENT_S)
    bad = LeanRedis.from_url(f"redis://{user}:wrong@{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}", PATIENT_S)
    assert good is not None and bad is not None
    try:
        assert await good.command("ACL", "WHOAMI") == user.encode()
        for _ in range(2):  # every command tries again, and fails again
            with pytest.raises(redis.exceptions.AuthenticationError):
                await bad.command("PING")
    finally:
        await good.close()
        await bad.close()
        await admin.execute_command("ACL", "DELUSER", user)


async def test_a_password_the_server_does_not_ask_for_is_accepted_as_redis_py_does(admin: aioredis.Redis) -> None:
    if await admin.config_get("requirepass") != {"requirepass": ""}:
        pytest.skip("this Redis asks for a password")
    url = f"redis://:not-needed@{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}"
    with_redis_py = aioredis.Redis.from_url(url)
    lean = LeanRedis.from_url(url, PATIENT_S)
    assert lean is not None
    try:
        assert await with_redis_py.ping() is True
        assert await lean.command("PING") == b"PONG"
    finally:
        await with_redis_py.aclose()
        await lean.close()


@pytest.mark.parametrize("url", [
    "rediss://127.0.0.1:6379/0",
    "unix:///var/run/redis.sock",
    "redis://127.0.0.1:6379/0?socket_timeout=1",
    "redis://127.0.0.1:6379/zero",
    "http://127.0.0.1:6379/0",
    "redis:///0",
])
def test_urls_it_cannot_serve_are_left_to_redis_py(url: str) -> None:
    assert LeanRedis.from_url(url, PATIENT_S) is None


async def test_a_command_into_a_blackhole_times_out_and_replies_never_mismatch_after(
    admin: aioredis.Redis, proxy: TcpProxy,
) -> None:
    lean = _lean(proxy.port, timeout_s=SHORT_S)
    a, b = _key("a"), _key("b")
    await admin.mset({a: b"value of a", b: b"value of b"})
    try:
        async with asyncio.timeout(DEADLINE_S):
            assert await lean.command("GET", a) == b"value of a"
            proxy.set_mode("blackhole")
            # On the open connection, and on one opened into the blackhole.
            for _ in range(2):
                with pytest.raises(TimeoutError):
                    await lean.command("GET", a)
            # Several callers waiting at once when their time runs out.
            results = await asyncio.gather(*(lean.command("GET", b) for _ in range(5)), return_exceptions=True)
            assert all(isinstance(r, (TimeoutError, ConnectionError)) for r in results), results
            proxy.set_mode("up")

        async def both() -> tuple[object, object] | None:
            try:
                return tuple(await asyncio.gather(lean.command("GET", a), lean.command("GET", b)))
            except (TimeoutError, ConnectionError):
                return None  # a connection begun in the blackhole

        assert await eventually(both, "commands succeed again") == (b"value of a", b"value of b")
        for _ in range(3):
            assert await asyncio.gather(lean.command("GET", b), lean.command("GET", a)) == [
                b"value of b", b"value of a",
            ]
    finally:
        await lean.close()


async def test_a_lost_connection_is_a_transient_connection_error_and_the_next_command_reconnects(
    admin: aioredis.Redis, proxy: TcpProxy,
) -> None:
    lean, key = _lean(proxy.port), _key("down")
    await admin.set(key, b"v")
    try:
        assert await lean.command("GET", key) == b"v"
        before = await lean.command("CLIENT", "ID")
        proxy.set_mode("down")
        with pytest.raises(ConnectionError) as raised:
            await lean.command("GET", key)
        assert isinstance(raised.value, RedisKeyValueStore.transient_errors)
        with pytest.raises(ConnectionError):
            await lean.command("GET", key)
        proxy.set_mode("up")
        assert await lean.command("GET", key) == b"v"
        assert await lean.command("CLIENT", "ID") != before
    finally:
        await lean.close()


async def test_a_command_on_a_connection_that_died_while_idle_is_sent_again_on_a_fresh_one(
    admin: aioredis.Redis, proxy: TcpProxy,
) -> None:
    lean, key = _lean(proxy.port), _key("idle")
    await admin.set(key, b"v")
    try:
        before = await lean.execute(("GET", key), ("CLIENT", "ID"))
        # Redis goes away and comes back while the client is idle; the event loop is not run
        # in between, so the client writes its next commands to the dead connection.
        proxy.set_mode("down")
        proxy.set_mode("up")
        after = await asyncio.gather(lean.command("GET", key), lean.execute(("INCR", _key("n")), ("CLIENT", "ID")))
        assert after[0] == b"v" and after[1][0] == 1
        assert after[1][1] != before[1]
    finally:
        await lean.close()


async def test_a_batch_sent_again_on_a_fresh_connection_logs_no_error(
    admin: aioredis.Redis, proxy: TcpProxy, caplog: pytest.LogCaptureFixture,
) -> None:
    lean = _lean(proxy.port)
    try:
        assert await lean.command("PING") == b"PONG"
        proxy.set_mode("down")
        proxy.set_mode("up")
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            assert await lean.execute(("PING",), ("ECHO", "two")) == [b"PONG", b"two"]
            gc.collect()
        assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
    finally:
        await lean.close()


async def test_a_command_that_times_out_drops_its_connection_so_its_late_reply_reaches_nobody(
    admin: aioredis.Redis,
) -> None:
    lean = _lean(timeout_s=SHORT_S)
    queue, key = _key("queue"), _key("k")
    await admin.set(key, b"mine")
    try:
        blocked = await lean.command("CLIENT", "ID")
        with pytest.raises(TimeoutError):
            await lean.command("BLPOP", queue, 0)
        await eventually(lambda: _gone(admin, blocked), "the blocked connection is closed")
        await admin.rpush(queue, b"late")
        assert await lean.execute(("GET", key), ("LRANGE", queue, 0, -1)) == [b"mine", [b"late"]]
    finally:
        await lean.close()


async def test_a_caller_who_gives_up_does_not_hold_up_or_confuse_the_others(admin: aioredis.Redis) -> None:
    # Time enough that a caller left waiting behind the blocked command would hang the test.
    lean = _lean(timeout_s=60.0)
    queue, key = _key("queue"), _key("k")
    await admin.set(key, b"mine")
    try:
        async with asyncio.timeout(DEADLINE_S):
            blocked = await lean.command("CLIENT", "ID")
            blpop = asyncio.ensure_future(lean.command("BLPOP", queue, 0))
            await eventually(lambda: _blocked(admin, blocked), "BLPOP blocks the connection")
            behind = asyncio.ensure_future(lean.execute(("GET", key), ("CLIENT", "ID")))
            for _ in range(3):
                await asyncio.sleep(0)  # sent, behind BLPOP on the same connection
            assert not behind.done()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(blpop, 0.01)
            reply, connection = await behind
            assert reply == b"mine" and connection != blocked
            assert await lean.command("GET", key) == b"mine"
            await eventually(lambda: _gone(admin, blocked), "the blocked connection is closed")
            await admin.rpush(queue, b"for nobody")
            assert await lean.command("LLEN", queue) == 1
    finally:
        await lean.close()


async def test_close_drops_the_connection_and_a_later_command_opens_a_new_one(admin: aioredis.Redis) -> None:
    lean, key = _lean(), _key("close")
    await admin.set(key, b"v")
    try:
        before = await lean.command("CLIENT", "ID")
        await lean.close()
        await lean.close()  # twice is harmless
        await eventually(lambda: _gone(admin, before), "the closed connection is gone from Redis")
        reply, after = await lean.execute(("GET", key), ("CLIENT", "ID"))
        assert reply == b"v" and after != before
    finally:
        await lean.close()
