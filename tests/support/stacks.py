"""The two ways crowdsketch runs, as test fixtures build them.

embedded: SQLite + files + in-process memory, in a fresh data dir per test.
distributed: PostgreSQL (a fresh database per test, cloned from a migrated template),
Redis (a test database, flushed), and the S3 API (moto's server, reset per test). Every
connection the app makes goes through a `TcpProxy`, so an outage test can cut one.

What a test does to the stores itself — seeding them, and reading them to check what the app
did — goes through `Stack.stores`: the same stores, reached directly (past the proxies) with
generous timeouts and retries and a breaker of its own. The app keeps the short timeouts the
outage tests need; a slow moment on a busy machine can then fail neither a check nor, by
tripping the app's breaker, the app.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crowdsketch.db.models import Drawing
from crowdsketch.resources import Resources
from crowdsketch.settings import Settings
from tests.support.tcp_proxy import TcpProxy

TEST_BUCKET = "crowdsketch-test"
# Databases a test process may claim; 14 is the benchmarks'.
_REDIS_TEST_DBS = (*range(1, 14), 15)
_CLAIM_KEY = "crowdsketch:test-db:{}"
_CLAIM_IF_UNCHANGED = """
local owner = redis.call('GET', KEYS[1])
if (owner == false and ARGV[2] == '') or owner == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
  return 1
end
return 0
"""


@functools.cache
def redis_test_db(host: str = "127.0.0.1", port: int = 6379) -> int:
    """A Redis database for this test process alone, claimed in database 0, so that two
    suites running at once (a developer's and a helper's, or CI's and a stress run) never
    flush each other's keys: a test flushes its database as it starts. A claim whose
    process has died is taken over; a claim is dropped when its process exits."""
    import redis

    client = redis.Redis(host=host, port=port, db=0)
    me = str(os.getpid())
    try:
        for db in _REDIS_TEST_DBS:
            key = _CLAIM_KEY.format(db)
            owner = client.get(key)
            if owner is not None and owner.decode() != me and _alive(int(owner)):
                continue
            # The claim is ours only if nobody changed it since we looked.
            if client.eval(_CLAIM_IF_UNCHANGED, 1, key, me, owner or b"", 6 * 3600):
                atexit.register(_release_redis_db, host, port, key, me)
                return db
        raise RuntimeError(f"every Redis test database {_REDIS_TEST_DBS} is claimed by a running test process")
    finally:
        client.close()


def _release_redis_db(host: str, port: int, key: str, me: str) -> None:
    import redis

    client = redis.Redis(host=host, port=port, db=0)
    try:
        if client.get(key) == me.encode():
            client.delete(key)
    except redis.RedisError:
        pass  # the claim expires by itself
    finally:
        client.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# The app in a test stack waits for a dependency as long as a busy machine may need, so
# that no test sees a 503 it did not cause...
APP_DEPENDENCY_TIMEOUT_S = 5.0
# ...except a test that takes a dependency away (`Stack.outage`): there a short timeout keeps
# each refused request quick, and the answer under test is the 503.
short_timeouts = pytest.mark.settings(dependency_timeout_s=0.5)


def make_settings(**values: object) -> Settings:
    defaults: dict[str, object] = {
        "environment": "test",
        "dependency_timeout_s": APP_DEPENDENCY_TIMEOUT_S,
        "retry_attempts": 2,
        "retry_backoff_s": 0.02,
        "breaker_threshold": 3,
        "breaker_reset_s": 1.0,
        "shape_cache_ttl_s": 0.0,
        "bcrypt_rounds": 4,
        "log_json": False,
        "aws_endpoint_url": None,
        "aws_access_key_id": None,
        "aws_secret_access_key": None,
        # Tests train small models that activate themselves whatever their accuracy; the
        # floor's own tests set it (tests/api/admin/test_activation_floor.py).
        "activation_floor": 0.0,
        # Most tests are about what happens to a drawing, not about the terms: their
        # sessions need no consent. Consent's own tests turn it on (tests/api/test_consent.py),
        # and the browser and topology tests run with the default (on).
        "consent_required": False,
    }
    return Settings(**{**defaults, **values})  # type: ignore[arg-type]


def patient(settings: Settings, **direct: object) -> Settings:
    """The settings a test's own reads and writes use: the stack's stores (with `direct`
    URLs in place of the proxied ones), waited on as long as a busy machine may need."""
    return settings.model_copy(update={
        "dependency_timeout_s": 30.0,
        "retry_attempts": 5,
        "retry_backoff_s": 0.2,
        "breaker_threshold": 1_000_000,
        **direct,
    })


@dataclass
class Stack:
    mode: str
    settings: Settings
    proxies: dict[str, TcpProxy] = field(default_factory=dict)
    # The app's own resources, once a client fixture has started the app.
    resources: Resources | None = None
    # Settings for `stores`; by default the app's, made patient.
    direct: Settings | None = None
    _stores: Resources | None = field(default=None, repr=False)

    @property
    def stores(self) -> Resources:
        """The test's own handle on the stack's database and blob store (see the module
        docstring). Its key-value store is the app's only on the distributed stack: on the
        embedded one, in-process memory belongs to the app (use `resources.kv`)."""
        if self._stores is None:
            self._stores = Resources.build(self.direct or patient(self.settings))
        return self._stores

    async def close(self) -> None:
        if self._stores is not None:
            await self._stores.close()
            self._stores = None

    async def drawing_rows(self) -> int:
        async with self.stores.db.sessions() as session:
            return (await session.execute(select(func.count()).select_from(Drawing))).scalar_one()

    async def drawing_blob_keys(self) -> set[str]:
        return {key async for key in self.stores.blobs.keys("drawings/")}

    async def row_blob_keys(self) -> set[str]:
        async with self.stores.db.sessions() as session:
            return set((await session.execute(select(Drawing.blob_key))).scalars().all())

    @contextmanager
    def outage(self, dependency: str, how: str = "down") -> Iterator[None]:
        """Take one dependency away for the duration of the block. A test that does this
        runs its app with `short_timeouts`."""
        if self.mode == "distributed":
            proxy = self.proxies[dependency]
            proxy.set_mode(how)  # type: ignore[arg-type]
            try:
                yield
            finally:
                proxy.set_mode("up")
            return
        if dependency == "blob store":
            with _blob_folder_replaced_by_a_file(self.settings.data_dir / "blobs"):
                yield
        elif dependency == "database":
            with _sqlite_locked(self.settings.data_dir / "crowdsketch.db"):
                yield
        else:
            raise LookupError(f"the embedded {dependency} is in-process memory and cannot be down")


@contextmanager
def _blob_folder_replaced_by_a_file(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    aside = root.with_name("blobs.aside")
    root.rename(aside)
    root.write_text("not a folder")
    try:
        yield
    finally:
        root.unlink()
        aside.rename(root)


@contextmanager
def _sqlite_locked(path: Path) -> Iterator[None]:
    connection = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def copy_sqlite_template(template: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / "crowdsketch.db")


async def create_bucket(endpoint: str) -> None:
    import boto3

    def make() -> None:
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
        )
        client.create_bucket(Bucket=TEST_BUCKET)

    await asyncio.to_thread(make)


async def delete_rabbit_queues(url: str, queue_name: str) -> None:
    """The training queue of one test and its dead-letter queue and exchange."""
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in (queue_name, f"{queue_name}.dead"):
            await channel.queue_delete(name)
        await channel.exchange_delete(f"{queue_name}.dead")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"
