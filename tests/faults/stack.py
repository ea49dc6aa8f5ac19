"""The distributed topology (deploy/run.py: nginx, collection, admin, two inference
processes, two workers) with a `TcpProxy` in front of each of its four dependencies, so a
fault can take one away and give it back without touching the machine's services.

Everything it makes is its own and is removed at the end: free ports, a fresh PostgreSQL
database (created by the deploy script), Redis database 15 (flushed before and after; the
fault tests and bench/faults.py both use it, so run one at a time), a RabbitMQ queue with
a unique name, and a bucket with a unique name on the S3 endpoint given to it. The checks (`drawing_keys`, `job_rows`, `models_per_job`) talk to the
services directly, never through the proxies, so they work while a dependency is "down".
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tests.support.processes import free_ports
from tests.support.stacks import delete_rabbit_queues, port_open, redis_test_db
from tests.support.tcp_proxy import TcpProxy

if TYPE_CHECKING:
    from crowdsketch.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@localhost"  # the deploy script's first admin
ADMIN_PASSWORD = "fault injection password"
T = TypeVar("T")


@dataclass(frozen=True)
class Backends:
    """Where the real services listen (the machine's, as the other distributed tests use)."""

    pg: tuple[str, int] = ("127.0.0.1", 5432)
    redis: tuple[str, int] = ("127.0.0.1", 6379)
    amqp: tuple[str, int] = ("127.0.0.1", 5672)

    def missing(self) -> list[str]:
        named = {"PostgreSQL": self.pg, "Redis": self.redis, "RabbitMQ": self.amqp}
        return [f"{name} is not reachable on {host}:{port}" for name, (host, port) in named.items()
                if not port_open(host, port)]

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@{self.amqp[0]}:{self.amqp[1]}/"


class TopologyError(RuntimeError):
    """The topology did not start, or stopped on its own; the message ends with its output."""


@dataclass
class FaultTopology:
    """Started by `start`, stopped by `stop` (also after a failed start)."""

    work_dir: Path
    s3_endpoint: str
    nginx: str
    backends: Backends = field(default_factory=Backends)
    workers: int = 2
    # Settings for every process of the deployment on top of the ones made here, such as
    # CROWDSKETCH_BREAKER_RESET_S (the benchmark's --set).
    overrides: dict[str, str] = field(default_factory=dict)
    proxies: dict[str, TcpProxy] = field(default_factory=dict)
    database: str = field(default_factory=lambda: f"crowdsketch_faults_{uuid.uuid4().hex[:12]}")
    queue: str = field(default_factory=lambda: f"crowdsketch.training.faults_{uuid.uuid4().hex[:12]}")
    bucket: str = field(default_factory=lambda: f"crowdsketch-faults-{uuid.uuid4().hex[:8]}")
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.work_dir / "deploy.log"

    @property
    def run_dir(self) -> Path:
        return self.work_dir / "run"

    # -- life cycle -------------------------------------------------------------------

    def start(self, timeout_s: float = 90.0) -> FaultTopology:
        s3_host, s3_port = self.s3_endpoint.removeprefix("http://").rstrip("/").split(":")
        self.proxies = {
            "PostgreSQL": TcpProxy(*self.backends.pg).start(),
            "Redis": TcpProxy(*self.backends.redis).start(),
            "RabbitMQ": TcpProxy(*self.backends.amqp).start(),
            "S3": TcpProxy(s3_host, int(s3_port)).start(),
        }
        port = {name: proxy.port for name, proxy in self.proxies.items()}
        nginx_port, collection_port, admin_port, *inference_ports = free_ports(5)
        self.url = f"http://127.0.0.1:{nginx_port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
        self.env.update(
            CROWDSKETCH_ENVIRONMENT="test",
            CROWDSKETCH_BCRYPT_ROUNDS="4",
            CROWDSKETCH_LOG_JSON="true",  # the checks read the workers' log lines
            CROWDSKETCH_ACTIVATION_FLOOR="0",  # one-epoch models activate themselves
            # Every drawing of the load is a new contributor's: consent is tested elsewhere.
            CROWDSKETCH_CONSENT_REQUIRED="false",
            CROWDSKETCH_ADMIN_PASSWORD=ADMIN_PASSWORD,
            CROWDSKETCH_DATA_DIR=str(self.work_dir / "data"),
            CROWDSKETCH_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{port['PostgreSQL']}/{self.database}",
            CROWDSKETCH_REDIS_URL=f"redis://127.0.0.1:{port['Redis']}/{redis_test_db()}",
            CROWDSKETCH_AMQP_URL=f"amqp://guest:guest@127.0.0.1:{port['RabbitMQ']}/",
            CROWDSKETCH_AMQP_TRAINING_QUEUE=self.queue,
            CROWDSKETCH_BLOB_URL=f"s3://{self.bucket}",
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{port['S3']}",
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_REGION="us-east-1",
            CROWDSKETCH_DEPLOY_PORT=str(nginx_port),
            CROWDSKETCH_DEPLOY_COLLECTION_PORTS=str(collection_port),
            CROWDSKETCH_DEPLOY_ADMIN_PORTS=str(admin_port),
            CROWDSKETCH_DEPLOY_INFERENCE_PORTS=",".join(map(str, inference_ports)),
            CROWDSKETCH_DEPLOY_WORKERS=str(self.workers),
            CROWDSKETCH_DEPLOY_BOOTSTRAP="0",
            CROWDSKETCH_DEPLOY_RUN_DIR=str(self.run_dir),
            CROWDSKETCH_DEPLOY_NGINX=self.nginx,
        )
        self.env.update(self.overrides)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        _flush_redis(self.backends, redis_test_db())
        with self.log.open("wb") as output:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "deploy" / "run.py")], env=self.env, cwd=str(ROOT),
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.until("the topology is up", lambda: "topology is up" in self.output(), timeout_s)
        return self

    def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it (every proxy up first, so that the
        services close their connections cleanly); then whatever it made is removed."""
        for proxy in self.proxies.values():
            proxy.set_mode("up")
        groups = self.processes()
        status = None
        try:
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.send_signal(signal.SIGTERM)
                try:
                    status = self.proc.wait(timeout=45)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=5)
        finally:
            for pgid in groups.values():
                if _group_alive(pgid):
                    os.killpg(pgid, signal.SIGKILL)
            for proxy in self.proxies.values():
                proxy.stop()
            self._remove_what_was_made()
        return status

    def _remove_what_was_made(self) -> None:
        for clean in (
            lambda: asyncio.run(delete_rabbit_queues(self.backends.amqp_url, self.queue)),
            lambda: self.pg("postgres", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'),
            lambda: _flush_redis(self.backends, redis_test_db()),
            self._delete_bucket,
        ):
            try:
                clean()
            except Exception as error:  # noqa: BLE001 - clean up the rest, say what was left
                print(f"fault topology clean-up: {type(error).__name__}: {error}", file=sys.stderr)

    # -- looking at it ----------------------------------------------------------------

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, chars: int = 6000) -> str:
        return self.output()[-chars:] or "(no output)"

    @property
    def collection_url(self) -> str:
        return f"http://127.0.0.1:{self.env['CROWDSKETCH_DEPLOY_COLLECTION_PORTS'].split(',')[0]}"

    @property
    def inference_urls(self) -> list[str]:
        ports = self.env["CROWDSKETCH_DEPLOY_INFERENCE_PORTS"].split(",")
        return [f"http://127.0.0.1:{port}" for port in ports]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def until(self, what: str, check: Callable[[], T | None], within_s: float, interval_s: float = 0.1) -> T:
        """Poll `check` until it gives something true; TopologyError if the deadline
        passes or the topology stops meanwhile."""
        deadline = time.monotonic() + within_s
        while True:
            value = check()
            if value:
                return value
            if not self.alive():
                raise TopologyError(f"{what}: deploy/run.py exited ({self.proc and self.proc.returncode})\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TopologyError(f"{what}: not within {within_s} s\n--- deploy output (tail) ---\n{self.tail()}")
            time.sleep(interval_s)

    def processes(self) -> dict[str, int]:
        """deploy/run.py's record of the process groups it started, by name."""
        path = self.run_dir / "processes.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def log_records(self, process_prefix: str = "") -> list[dict[str, Any]]:
        """The JSON log records of the children whose name starts with `process_prefix`
        (deploy/run.py prefixes each line with the child's name)."""
        records = []
        for line in self.output().splitlines():
            name, sep, text = line.partition(" | ")
            if not sep or not name.strip().startswith(process_prefix) or not text.startswith("{"):
                continue
            try:
                records.append({"process": name.strip(), **json.loads(text)})
            except ValueError:
                continue
        return records

    # -- the stores, straight (not through the proxies) --------------------------------

    def settings(self) -> Settings:
        """The deployment's settings, with the stores reached straight: for a process of
        the tests' own (the doctor) that must work whatever the proxies do."""
        from crowdsketch.settings import Settings

        (pg_host, pg_port), (redis_host, redis_port) = self.backends.pg, self.backends.redis
        return Settings(
            environment="test",
            data_dir=self.work_dir / "data",
            database_url=f"postgresql+asyncpg://postgres@{pg_host}:{pg_port}/{self.database}",
            redis_url=f"redis://{redis_host}:{redis_port}/{redis_test_db()}",
            amqp_url=self.backends.amqp_url,
            amqp_training_queue=self.queue,
            blob_url=f"s3://{self.bucket}",
            aws_endpoint_url=self.s3_endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            aws_region="us-east-1",
            log_json=False,
        )

    def pg(self, database: str, statement: str, *args: object) -> list[Any]:
        import asyncpg

        async def run() -> list[Any]:
            host, port = self.backends.pg
            connection = await asyncpg.connect(host=host, port=port, user="postgres", database=database)
            try:
                return list(await connection.fetch(statement, *args))
            finally:
                await connection.close()

        return asyncio.run(run())

    def query(self, statement: str, *args: object) -> list[Any]:
        return self.pg(self.database, statement, *args)

    def s3(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.s3_endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    def blob_keys(self, prefix: str) -> set[str]:
        client, keys = self.s3(), set()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys

    def row_blob_keys(self) -> set[str]:
        return {row["blob_key"] for row in self.query("SELECT blob_key FROM drawings")}

    def _delete_bucket(self) -> None:
        client = self.s3()
        try:
            keys = self.blob_keys("")
        except client.exceptions.NoSuchBucket:
            return
        for start in range(0, len(keys), 1000):
            chunk = sorted(keys)[start:start + 1000]
            client.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk]})
        client.delete_bucket(Bucket=self.bucket)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _flush_redis(backends: Backends, db: int) -> None:
    import redis

    client = redis.Redis(host=backends.redis[0], port=backends.redis[1], db=db)
    try:
        client.flushdb()
    finally:
        client.close()
