"""Starting the distributed topology (deploy/run.py: nginx, services, workers) for a test.

A topology gets ports of its own (free ones), a fresh PostgreSQL database (created by the
deploy script), the test process's own Redis database, a RabbitMQ queue of its own and a
bucket on the tests' moto server (created by the deploy script), so it never meets a
running `make run-distributed` or another test. Everything is stopped, dropped and flushed
when the test ends, whether or not it got up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from tests.conftest import AMQP_HOST, AMQP_PORT, PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT, require, require_service
from tests.support.processes import find_nginx, free_ports
from tests.support.stacks import delete_rabbit_queues, redis_test_db, unique_name
from tests.support.waiting import JOB_DEADLINE_S

ROOT = Path(__file__).resolve().parents[2]
AMQP_URL = f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/"
ADMIN_PASSWORD = "topology test password"
T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "topology: starts the whole distributed topology (deploy/run.py: nginx, services, workers)"
    )


def until(what: str, check: Callable[[], T | None], within_s: float, log: Path, interval_s: float = 0.2) -> T:
    """`wait_until` for a topology: a failure shows the deploy output, where the cause is."""
    deadline = time.monotonic() + within_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {within_s} s\n--- deploy output (tail) ---\n{tail(log)}")
        time.sleep(interval_s)


def tail(log: Path, chars: int = 6000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no output)"


@dataclass
class Topology:
    proc: subprocess.Popen[bytes]
    log: Path
    run_dir: Path
    env: dict[str, str]
    url: str
    collection_urls: list[str]
    inference_urls: list[str]
    database: str

    def processes(self) -> dict[str, int]:
        return json.loads((self.run_dir / "processes.json").read_text())

    def access_log(self) -> str:
        path = self.run_dir / "access.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
            pytest.fail(f"deploy/run.py did not stop within 45 s of SIGTERM\n{tail(self.log)}")


class StartTopology(Protocol):
    def __call__(self, *, collection: int = 1, inference: int = 2, workers: int = 2) -> Topology: ...


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


async def pg(database: str, statement: str, *args: object) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=database)
    try:
        return list(await connection.fetch(statement, *args))
    finally:
        await connection.close()


def _flush_redis() -> None:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_test_db())
    try:
        client.flushdb()
    finally:
        client.close()


def _environment(tmp: Path, s3_endpoint: str, nginx: str, ports: dict[str, list[int]], workers: int,
                 database: str, queue: str) -> dict[str, str]:
    bucket = f"crowdsketch-topology-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
    env.update(
        CROWDSKETCH_ENVIRONMENT="test",
        CROWDSKETCH_BCRYPT_ROUNDS="4",
        CROWDSKETCH_LOG_JSON="false",
        CROWDSKETCH_ACTIVATION_FLOOR="0",  # a one-epoch model activates itself (the floor is tested apart)
        CROWDSKETCH_ADMIN_PASSWORD=ADMIN_PASSWORD,
        # Long: an activation must reach inference through pub/sub, not a poll.
        CROWDSKETCH_MODEL_POLL_INTERVAL_S="600",
        CROWDSKETCH_DATA_DIR=str(tmp / "data"),
        CROWDSKETCH_DATABASE_URL=f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{database}",
        CROWDSKETCH_REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}",
        CROWDSKETCH_AMQP_URL=AMQP_URL,
        CROWDSKETCH_AMQP_TRAINING_QUEUE=queue,
        CROWDSKETCH_BLOB_URL=f"s3://{bucket}",
        AWS_ENDPOINT_URL=s3_endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        CROWDSKETCH_DEPLOY_PORT=str(ports["nginx"][0]),
        CROWDSKETCH_DEPLOY_COLLECTION_PORTS=",".join(map(str, ports["collection"])),
        CROWDSKETCH_DEPLOY_ADMIN_PORTS=",".join(map(str, ports["admin"])),
        CROWDSKETCH_DEPLOY_INFERENCE_PORTS=",".join(map(str, ports["inference"])),
        CROWDSKETCH_DEPLOY_WORKERS=str(workers),
        CROWDSKETCH_DEPLOY_BOOTSTRAP="0",
        CROWDSKETCH_DEPLOY_RUN_DIR=str(tmp / "run"),
        CROWDSKETCH_DEPLOY_NGINX=nginx,
    )
    return env


@pytest.fixture
def start_topology(tmp_path: Path, s3_endpoint: str) -> Iterator[StartTopology]:
    """`start_topology(collection=N, inference=N, workers=N)`: deploy/run.py with one admin
    process and no bootstrap, up (its banner printed) when it returns."""
    nginx = find_nginx()
    require(nginx is not None, "nginx is not installed (Debian: apt-get install -y nginx)", "CI must install it")
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    require_service("RabbitMQ", AMQP_HOST, AMQP_PORT)
    assert nginx is not None
    cleanups = contextlib.ExitStack()
    started = 0

    def start(*, collection: int = 1, inference: int = 2, workers: int = 2) -> Topology:
        nonlocal started
        started += 1
        tmp = tmp_path / f"topology-{started}"
        tmp.mkdir()
        proxy, *service_ports = free_ports(2 + collection + inference)
        ports = {"nginx": [proxy], "collection": service_ports[:collection], "admin": [service_ports[collection]],
                 "inference": service_ports[collection + 1:]}
        database = unique_name("crowdsketch_topology")
        queue = unique_name("crowdsketch.training.topology")
        env = _environment(tmp, s3_endpoint, nginx, ports, workers, database, queue)
        _flush_redis()
        log = tmp / "deploy.log"
        with log.open("wb") as output:
            proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "run.py")], env=env, cwd=str(ROOT),
                                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        topology = Topology(proc, log, tmp / "run", env, f"http://127.0.0.1:{proxy}",
                            [f"http://127.0.0.1:{port}" for port in ports["collection"]],
                            [f"http://127.0.0.1:{port}" for port in ports["inference"]], database)
        cleanups.callback(_clean_up, topology, queue)
        until("the topology is up",
              lambda: proc.poll() is not None or "topology is up" in log.read_text(errors="replace"),
              JOB_DEADLINE_S, log)
        assert proc.poll() is None, f"deploy/run.py exited ({proc.returncode})\n{tail(log)}"
        return topology

    with cleanups:
        yield start


def _clean_up(topology: Topology, queue: str) -> None:
    groups = topology.processes() if (topology.run_dir / "processes.json").exists() else {}
    try:
        topology.stop()
    finally:
        for pgid in groups.values():
            if group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
        asyncio.run(delete_rabbit_queues(AMQP_URL, queue))
        asyncio.run(pg("postgres", f'DROP DATABASE IF EXISTS "{topology.database}" WITH (FORCE)'))
        _flush_redis()
