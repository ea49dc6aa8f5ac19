"""The stacks under test and their backends, on this machine.

* embedded: SQLite + files + in-process key-value store, in a fresh data dir;
* distributed: PostgreSQL (a fresh database, dropped at the end), Redis db 14 (flushed), and
  the S3 API served by moto in its own subprocess (`bench/moto_quiet.py`).

Everything started is registered on an ExitStack and stopped by the pid it was given, also
on an error or Ctrl-C; the processes started are registered on the CPU sampler too.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bench.cpu import CPU

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_URL_TEMPLATE = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/14"
BUCKET = "crowdsketch-bench"
T = TypeVar("T")
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}


# --------------------------------------------------------------------------------------
# Processes.
# --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
    env.update(values)
    return env


def stop_process(proc: subprocess.Popen, name: str) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        print(f"  {name} (pid {proc.pid}) ignored SIGTERM; killing it", flush=True)
        proc.kill()
        proc.wait(timeout=5)


def start_process(stack: ExitStack, name: str, group: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Started in its own session (Ctrl-C reaches us, not it: we stop it), its CPU counted as `group`."""
    handle = log.open("ab")
    proc = subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=str(ROOT), start_new_session=True)
    stack.callback(handle.close)
    stack.callback(stop_process, proc, name)
    CPU.track(proc.pid, group)
    stack.callback(CPU.untrack, proc.pid)
    return proc


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not up after {timeout_s}s:\n{log.read_text()[-3000:]}")


def crowdsketch_cmd() -> list[str]:
    script = Path(sys.executable).parent / "crowdsketch"  # the installed `crowdsketch` command
    return [str(script)] if script.exists() else [sys.executable, "-m", "crowdsketch.cli"]


def migrate(env: dict[str, str], log: Path) -> None:
    with log.open("ab") as handle:
        subprocess.run([*crowdsketch_cmd(), "migrate"], env=env, stdout=handle, stderr=subprocess.STDOUT,
                       cwd=str(ROOT), check=True, timeout=120)


def start_servers(stack: ExitStack, env: dict[str, str], workers: int, logdir: Path, tag: str) -> list[str]:
    """N `crowdsketch serve` processes (schema already migrated), one port each."""
    urls = []
    for w in range(workers):
        port = free_port()
        log = logdir / f"{tag}-serve-{w}.log"
        proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                             [*crowdsketch_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
                             env, log)
        wait_http(f"http://127.0.0.1:{port}/healthz", proc, log)
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        ready = httpx.get(f"{url}/readyz", timeout=5)
        if ready.status_code != 200:
            raise RuntimeError(f"{url}/readyz: {ready.status_code} {ready.text}")
    return urls


def start_moto(stack: ExitStack, log: Path) -> str:
    """moto's S3 server in its own process (its own GIL), with `BUCKET` made; its endpoint."""
    import boto3

    port = free_port()
    proc = start_process(stack, "moto server", "moto",
                         [sys.executable, "-m", "bench.moto_quiet", "-H", "127.0.0.1", "-p", str(port)], clean_env(), log)
    endpoint = f"http://127.0.0.1:{port}"
    wait_http(f"{endpoint}/moto-api/", proc, log)
    boto3.client("s3", endpoint_url=endpoint, region_name=S3_CREDENTIALS["AWS_REGION"],
                 aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket=BUCKET)
    return endpoint


# --------------------------------------------------------------------------------------
# Backends.
# --------------------------------------------------------------------------------------

def _pg(database: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work(connection)` on a connection to `database`, as the PostgreSQL superuser."""
    import asyncpg

    async def run() -> T:
        connection = await asyncpg.connect(f"{PG_SERVER}/{database}")
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def pg_execute(statement: str) -> None:
    _pg("postgres", lambda connection: connection.execute(statement))


def pg_counts(database: str, *tables: str) -> list[int]:
    async def count(connection: Any) -> list[int]:
        return [await connection.fetchval(f"SELECT count(*) FROM {table}") for table in tables]

    return _pg(database, count)


def redis_flush(url: str = REDIS_URL) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Embedded:
    """An embedded stack's data dir, migrated."""
    data_dir: Path

    @classmethod
    def prepare(cls, data_dir: Path, log: Path) -> Embedded:
        embedded = cls(data_dir)
        migrate(embedded.env(), log)
        return embedded

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(CROWDSKETCH_DATA_DIR=str(self.data_dir), **extra)

    def settings(self):  # type: ignore[no-untyped-def]
        from crowdsketch.settings import Settings

        return Settings(data_dir=self.data_dir, database_url="", blob_url="", redis_url=None)

    def rows(self) -> int:
        with sqlite3.connect(self.data_dir / "crowdsketch.db") as connection:
            return connection.execute("SELECT count(*) FROM drawings").fetchone()[0]


@dataclass
class Distributed:
    """A distributed stack's backends, started and migrated."""
    data_dir: Path
    db_name: str
    endpoint: str

    # What the database held before the run (a loaded one: `existing`), left out of the counts.
    baseline: tuple[int, ...] = (0, 0, 0, 0)

    @classmethod
    def start(cls, stack: ExitStack, workdir: Path, existing: str | None = None) -> Distributed:
        """With `existing`, that database (kept, counted from what it holds now) instead of a
        fresh one."""
        endpoint = start_moto(stack, workdir / "moto.log")

        # Redis: db 14, flushed before and after.
        redis_flush()
        stack.callback(redis_flush)

        if existing is None:
            # PostgreSQL: a fresh database, dropped at the end.
            db_name = f"crowdsketch_bench_{uuid.uuid4().hex[:10]}"
            pg_execute(f'CREATE DATABASE "{db_name}"')
            stack.callback(print, f"  dropped database {db_name}", flush=True)
            stack.callback(pg_execute, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        else:
            db_name = existing
        CPU.database = db_name

        tag = "distributed" if existing is None else "loaded"
        distributed = cls(workdir / f"{tag}-data", db_name, endpoint)
        migrate(distributed.env(), workdir / f"{tag}-migrate.log")
        if existing is not None:
            distributed.baseline = distributed._counts()
        return distributed

    @property
    def database_url(self) -> str:
        return PG_URL_TEMPLATE.format(name=self.db_name)

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(CROWDSKETCH_DATA_DIR=str(self.data_dir), CROWDSKETCH_DATABASE_URL=self.database_url,
                         CROWDSKETCH_REDIS_URL=REDIS_URL, CROWDSKETCH_BLOB_URL=f"s3://{BUCKET}",
                         AWS_ENDPOINT_URL=self.endpoint, **S3_CREDENTIALS, **extra)

    def settings(self):  # type: ignore[no-untyped-def]
        from crowdsketch.settings import Settings

        return Settings(data_dir=self.data_dir, database_url=self.database_url, redis_url=REDIS_URL,
                        blob_url=f"s3://{BUCKET}", aws_endpoint_url=self.endpoint,
                        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        aws_region=S3_CREDENTIALS["AWS_REGION"])

    def rows_and_sessions(self) -> tuple[int, int, int, int]:
        """Drawing rows; sessions with drawings; those of them that agreed to the terms (the
        served runs'); sessions that agreed (the served runs agree for every session they can
        use, a few of which may draw nothing)."""
        rows, drawn, drawn_consented, consented = (
            now - before for now, before in zip(self._counts(), self.baseline, strict=True))
        return rows, drawn, drawn_consented, consented

    def _counts(self) -> tuple[int, ...]:
        return tuple(pg_counts(
            self.db_name, "drawings", "contributor_sessions WHERE drawing_count > 0",
            "contributor_sessions WHERE drawing_count > 0 AND consent_version IS NOT NULL",
            "contributor_sessions WHERE consent_version IS NOT NULL"))
