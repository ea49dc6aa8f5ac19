"""The distributed topology as `make run-distributed` starts it (deploy/run.py), driven
through nginx: a drawing, an admin log-in, two training jobs taken by two workers, an
activation that reaches both inference processes, and classification.

The topology gets ports of its own (free ones), a fresh PostgreSQL database (created by the
deploy script), Redis database 13, a RabbitMQ queue of its own and a bucket on the tests'
moto server (created by the deploy script), so it never meets a running
`make run-distributed` or another test. Select it with `-m topology`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.conftest import AMQP_HOST, AMQP_PORT, PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT, require, require_service
from tests.support.drawings import circle_strokes, drawing_body, stroke_data, submission_headers
from tests.support.processes import find_nginx, free_ports
from tests.support.stacks import delete_rabbit_queues, redis_test_db, unique_name
from tests.support.waiting import DEADLINE_S, JOB_DEADLINE_S

pytestmark = [pytest.mark.distributed, pytest.mark.topology]

ROOT = Path(__file__).resolve().parents[2]
AMQP_URL = f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/"
ADMIN_EMAIL = "admin@localhost"  # the deploy script's first admin
ADMIN_PASSWORD = "topology test password"
T = TypeVar("T")


def _until(what: str, check: Callable[[], T | None], within_s: float, log: Path, interval_s: float = 0.2) -> T:
    deadline = time.monotonic() + within_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {within_s} s\n--- deploy output (tail) ---\n{_tail(log)}")
        time.sleep(interval_s)


def _tail(log: Path, chars: int = 6000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no output)"


@dataclass
class Topology:
    proc: subprocess.Popen[bytes]
    log: Path
    run_dir: Path
    env: dict[str, str]
    url: str
    inference_urls: list[str]
    database: str

    def processes(self) -> dict[str, int]:
        return json.loads((self.run_dir / "processes.json").read_text())

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
            pytest.fail(f"deploy/run.py did not stop within 45 s of SIGTERM\n{_tail(self.log)}")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_leftovers(groups: dict[str, int]) -> None:
    for pgid in groups.values():
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)


async def _pg(database: str, statement: str, *args: object) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=database)
    try:
        return list(await connection.fetch(statement, *args))
    finally:
        await connection.close()


async def _queue_consumers(queue: str) -> int:
    import aio_pika

    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        try:
            declared = await channel.declare_queue(queue, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return 0  # not declared by a worker yet
        return declared.declaration_result.consumer_count or 0


def _flush_redis() -> None:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_test_db())
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def topology(tmp_path: Path, s3_endpoint: str) -> Iterator[Topology]:
    nginx = find_nginx()
    require(nginx is not None, "nginx is not installed (Debian: apt-get install -y nginx)", "CI must install it")
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    require_service("RabbitMQ", AMQP_HOST, AMQP_PORT)

    proxy_port, collection_port, admin_port, *inference_ports = free_ports(5)
    database = unique_name("crowdsketch_topology")
    queue = unique_name("crowdsketch.training.topology")
    bucket = f"crowdsketch-topology-{uuid.uuid4().hex[:8]}"
    run_dir = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
    env.update(
        CROWDSKETCH_ENVIRONMENT="test",
        CROWDSKETCH_BCRYPT_ROUNDS="4",
        CROWDSKETCH_LOG_JSON="false",
        CROWDSKETCH_ACTIVATION_FLOOR="0",  # a one-epoch model activates itself (the floor is tested apart)
        CROWDSKETCH_ADMIN_PASSWORD=ADMIN_PASSWORD,
        # Long: an activation must reach inference through pub/sub, not a poll.
        CROWDSKETCH_MODEL_POLL_INTERVAL_S="600",
        CROWDSKETCH_DATA_DIR=str(tmp_path / "data"),
        CROWDSKETCH_DATABASE_URL=f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{database}",
        CROWDSKETCH_REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}",
        CROWDSKETCH_AMQP_URL=AMQP_URL,
        CROWDSKETCH_AMQP_TRAINING_QUEUE=queue,
        CROWDSKETCH_BLOB_URL=f"s3://{bucket}",
        AWS_ENDPOINT_URL=s3_endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        CROWDSKETCH_DEPLOY_PORT=str(proxy_port),
        CROWDSKETCH_DEPLOY_COLLECTION_PORTS=str(collection_port),
        CROWDSKETCH_DEPLOY_ADMIN_PORTS=str(admin_port),
        CROWDSKETCH_DEPLOY_INFERENCE_PORTS=",".join(map(str, inference_ports)),
        CROWDSKETCH_DEPLOY_WORKERS="2",
        CROWDSKETCH_DEPLOY_BOOTSTRAP="0",
        CROWDSKETCH_DEPLOY_RUN_DIR=str(run_dir),
        CROWDSKETCH_DEPLOY_NGINX=nginx,
    )
    _flush_redis()
    log = tmp_path / "deploy.log"
    with log.open("wb") as output:
        proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "run.py")], env=env, cwd=str(ROOT),
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
    topology = Topology(proc, log, run_dir, env, f"http://127.0.0.1:{proxy_port}",
                        [f"http://127.0.0.1:{port}" for port in inference_ports], database)
    try:
        _until("the topology is up", lambda: proc.poll() is not None or "topology is up" in log.read_text(errors="replace"),
               JOB_DEADLINE_S, log)
        assert proc.poll() is None, f"deploy/run.py exited ({proc.returncode})\n{_tail(log)}"
        yield topology
    finally:
        groups = topology.processes() if (run_dir / "processes.json").exists() else {}
        try:
            topology.stop()
        finally:
            _kill_leftovers(groups)
            asyncio.run(delete_rabbit_queues(AMQP_URL, queue))
            asyncio.run(_pg("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            _flush_redis()


class EventListener:
    """A logged-in admin's event stream, read on a thread of its own."""

    def __init__(self, url: str, session: str) -> None:
        self.events: list[dict[str, Any]] = []
        self._connection = ws_connect(f"{url.replace('http', 'ws', 1)}/api/admin/events", origin=url,  # type: ignore[arg-type]
                                      additional_headers={"Cookie": f"sid={session}"})
        self._ws = self._connection.__enter__()
        assert json.loads(self._ws.recv(timeout=10))["type"] == "hello"
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            for message in self._ws:
                self.events.append(json.loads(message))

    def finished(self, jobs: list[str]) -> list[dict[str, Any]] | None:
        ended = {e["data"]["jobId"] for e in self.events if e["type"] == "job.finished"}
        return list(self.events) if set(jobs) <= ended else None

    def close(self) -> None:
        self._connection.__exit__(None, None, None)
        self._thread.join(timeout=10)


def test_the_whole_loop_through_nginx(topology: Topology) -> None:
    log, env = topology.log, topology.env
    groups = topology.processes()
    workers = {pid for name, pid in groups.items() if name.startswith("worker.")}
    assert len(workers) == 2 and {"collection.1", "admin.1", "inference.1", "inference.2", "nginx"} <= set(groups)

    with httpx.Client(base_url=topology.url, timeout=10) as http:
        # The pages, each from the role that serves it, and nginx's own answers.
        for page in ("/", "/admin", "/implementor"):
            response = http.get(page)
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), page
        unknown = http.get("/api/no-such-thing")
        assert unknown.status_code == 404 and unknown.json()["error"] == "NOT_FOUND"
        assert http.get("/healthz").json() == {"status": "ok"}
        too_large = http.post("/api/drawings", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"})
        assert too_large.status_code == 413, too_large.text
        assert too_large.json()["error"] == "PAYLOAD_TOO_LARGE"
        assert too_large.json()["requestId"] == too_large.headers["X-Request-Id"]

        # A drawing, through nginx to collection, after its contributor agreed to the terms
        # (refused before); the request id and the replay come back.
        headers = {**submission_headers(shape_id="circle"), "X-Request-Id": "topology-draw-1"}
        refused = http.post("/api/drawings", json=drawing_body("circle"), headers=headers)
        assert refused.status_code == 403 and refused.json()["error"] == "CONSENT_REQUIRED", refused.text
        version = http.get("/api/terms").json()["version"]
        agreed = http.post("/api/consent", json={"termsVersion": version},
                           headers={"X-Session-Id": headers["X-Session-Id"]})
        assert agreed.status_code == 200, agreed.text
        drawn = http.post("/api/drawings", json=drawing_body("circle"), headers=headers)
        assert drawn.status_code == 201, drawn.text
        assert drawn.headers["X-Request-Id"] == "topology-draw-1"
        replay = http.post("/api/drawings", json=drawing_body("circle"), headers=headers)
        assert replay.status_code == 201 and replay.json()["id"] == drawn.json()["id"]

        # Synthetic drawings, straight into the same database and bucket.
        started = time.monotonic()
        seeded = subprocess.run([sys.executable, "-m", "crowdsketch.cli", "seed", "--per-shape", "30", "--seed", "7"],
                                env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        print(f"seeded in {time.monotonic() - started:.1f} s: {seeded.stdout.strip()}")

        # An admin, through nginx to admin.
        login = http.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        http.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        assert http.get("/api/admin/me").status_code == 200

        # Two jobs for two workers: each worker takes one delivery at a time, so with both
        # consuming, the second job goes to the other worker.
        _until("both workers consume", lambda: asyncio.run(_queue_consumers(env["CROWDSKETCH_AMQP_TRAINING_QUEUE"])) >= 2,
               DEADLINE_S, log)
        # The admin event stream, through nginx (a WebSocket upgrade), heard while the jobs run.
        stream = EventListener(topology.url, http.cookies["sid"])
        first_config = {"epochs": 2, "shapes": ["circle", "square", "triangle"], "seed": 1, "activate": True}
        second_config = {"epochs": 1, "shapes": ["circle", "line", "square"], "seed": 2}
        jobs = []
        for config in (first_config, second_config):
            started_job = http.post("/api/admin/training/start", json=config)
            assert started_job.status_code == 201, started_job.text
            jobs.append(started_job.json()["id"])

        def finished() -> list[dict[str, Any]] | None:
            states = [http.get(f"/api/admin/training/jobs/{job}").json() for job in jobs]
            failed = [state for state in states if state["status"] in ("failed", "cancelled")]
            assert not failed, f"{failed}\n{_tail(log)}"
            return states if all(state["status"] == "completed" for state in states) else None

        first_job, second_job = _until("both training jobs complete", finished, JOB_DEADLINE_S, log, interval_s=0.5)
        heard = _until("the stream tells both jobs' ends", lambda: stream.finished(jobs), DEADLINE_S, log)
        for job, epochs in zip(jobs, (2, 1), strict=True):
            moves = [(e["type"], e["data"].get("epoch")) for e in heard if e["data"].get("jobId") == job]
            assert moves == [("job.queued", None), ("job.started", None),
                             *[("job.epoch", n) for n in range(1, epochs + 1)], ("job.finished", None)], moves
        stream.close()
        owners = asyncio.run(_pg(topology.database, "SELECT lease_owner FROM training_jobs"))
        owner_pids = {int(row["lease_owner"].split(":")[1]) for row in owners}
        assert owner_pids == workers, f"jobs taken by {owners}, workers {workers}"

        # The first job's model activated itself on completion; activate the second by hand.
        # Both inference processes must follow, each told through pub/sub (they poll every 10 min).
        models = {model["jobId"]: model for model in http.get("/api/admin/models").json()}
        first_model, second_model = models[first_job["id"]], models[second_job["id"]]
        assert first_model["active"] and not second_model["active"]

        def everywhere(model: dict[str, Any]) -> Callable[[], bool]:
            def check() -> bool:
                answers = [httpx.get(f"{url}/api/inference/model/info", timeout=5) for url in topology.inference_urls]
                return all(a.status_code == 200 and a.json()["id"] == model["id"] for a in answers)
            return check

        _until("both inference processes load the first model", everywhere(first_model), DEADLINE_S, log)
        activated = http.post(f"/api/admin/models/{second_model['id']}/activate")
        assert activated.status_code == 200, activated.text
        _until("both inference processes load the second model", everywhere(second_model), DEADLINE_S, log, interval_s=0.1)

        # Classification through nginx, spread over both inference processes.
        for _ in range(4):
            answer = http.post("/api/inference/classify", json={"strokeData": stroke_data(circle_strokes())})
            assert answer.status_code == 200, answer.text
            assert answer.json()["modelVersion"] == second_model["version"]
            assert answer.json()["shape"] in second_model["classes"]
        info = http.get("/api/inference/model/info").json()
        assert info["id"] == second_model["id"] and sorted(info["classes"]) == ["circle", "line", "square"]

        # An A/B experiment: the first model against the active second, on half the callers.
        # Both inference processes deal a caller the same arm; a promotion reaches both.
        started = http.post("/api/admin/experiments",
                            json={"name": "first again", "treatmentModelId": first_model["id"], "share": 0.5})
        assert started.status_code == 201, started.text

        def dealt() -> dict[str, int] | None:
            versions: dict[str, set[int]] = {}
            for i in range(40):
                for _ in range(2):  # nginx sends the two calls to different processes
                    answer = http.post("/api/inference/classify", json={"strokeData": stroke_data(circle_strokes())},
                                       headers={"X-Session-Id": f"caller-{i}"})
                    versions.setdefault(f"caller-{i}", set()).add(answer.json()["modelVersion"])
            steady = all(len(seen) == 1 for seen in versions.values())
            arms = {version for seen in versions.values() for version in seen}
            return {c: next(iter(v)) for c, v in versions.items()} if steady and len(arms) == 2 else None

        _until("both inference processes deal each caller one arm", dealt, DEADLINE_S, log, interval_s=0.2)
        promoted = http.post(f"/api/admin/experiments/{started.json()['id']}/promote")
        assert promoted.status_code == 200 and promoted.json()["status"] == "promoted", promoted.text
        _until("both inference processes load the promoted model", everywhere(first_model), DEADLINE_S, log, interval_s=0.1)

        # Each job trained from a snapshot of its own; one is exported through nginx, streamed.
        snapshot = http.get(f"/api/admin/datasets/{first_model['datasetId']}").json()
        assert snapshot["implicit"] and [m["version"] for m in snapshot["models"]] == [first_model["version"]]
        exported = http.get(f"/api/admin/datasets/{snapshot['id']}/export")
        assert exported.status_code == 200 and len(exported.content.splitlines()) == snapshot["drawings"]

    access_log = (topology.run_dir / "access.log").read_text()
    classified_on = set(re.findall(r'"POST /api/inference/classify [^"]*" 200 .* upstream=([\d.:]+)', access_log))
    assert classified_on == {url.removeprefix("http://") for url in topology.inference_urls}, classified_on

    # SIGTERM stops everything it started: every process group is empty afterwards (the
    # services', the workers', nginx's workers and all).
    assert topology.stop() == 0, _tail(log)
    left = {name: pgid for name, pgid in groups.items() if _group_alive(pgid)}
    assert not left, f"still running after the stop: {left}\n{_tail(log)}"
    assert "stopped" in _tail(log, 500)
