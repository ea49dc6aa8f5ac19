"""The distributed topology as `make run-distributed` starts it (deploy/run.py), driven
through nginx: a drawing, an admin log-in, two training jobs taken by two workers, an
activation that reaches both inference processes, and classification.

What the topology gets of its own, and how it is cleaned up: conftest.py. Select it with
`-m topology`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.distributed.conftest import (
    ADMIN_PASSWORD, AMQP_URL, ROOT, StartTopology, Topology, group_alive, pg, tail, until,
)
from tests.support.drawings import circle_strokes, drawing_body, stroke_data, submission_headers
from tests.support.waiting import DEADLINE_S, JOB_DEADLINE_S

pytestmark = [pytest.mark.distributed, pytest.mark.topology]

ADMIN_EMAIL = "admin@localhost"  # the deploy script's first admin


@pytest.fixture
def topology(start_topology: StartTopology) -> Topology:
    return start_topology(collection=1, inference=2, workers=2)


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
        until("both workers consume", lambda: asyncio.run(_queue_consumers(env["CROWDSKETCH_AMQP_TRAINING_QUEUE"])) >= 2,
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
            assert not failed, f"{failed}\n{tail(log)}"
            return states if all(state["status"] == "completed" for state in states) else None

        first_job, second_job = until("both training jobs complete", finished, JOB_DEADLINE_S, log, interval_s=0.5)
        heard = until("the stream tells both jobs' ends", lambda: stream.finished(jobs), DEADLINE_S, log)
        for job, epochs in zip(jobs, (2, 1), strict=True):
            moves = [(e["type"], e["data"].get("epoch")) for e in heard if e["data"].get("jobId") == job]
            assert moves == [("job.queued", None), ("job.started", None),
                             *[("job.epoch", n) for n in range(1, epochs + 1)], ("job.finished", None)], moves
        stream.close()
        owners = asyncio.run(pg(topology.database, "SELECT lease_owner FROM training_jobs"))
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

        until("both inference processes load the first model", everywhere(first_model), DEADLINE_S, log)
        activated = http.post(f"/api/admin/models/{second_model['id']}/activate")
        assert activated.status_code == 200, activated.text
        until("both inference processes load the second model", everywhere(second_model), DEADLINE_S, log, interval_s=0.1)

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

        until("both inference processes deal each caller one arm", dealt, DEADLINE_S, log, interval_s=0.2)
        promoted = http.post(f"/api/admin/experiments/{started.json()['id']}/promote")
        assert promoted.status_code == 200 and promoted.json()["status"] == "promoted", promoted.text
        until("both inference processes load the promoted model", everywhere(first_model), DEADLINE_S, log, interval_s=0.1)

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
    assert topology.stop() == 0, tail(log)
    left = {name: pgid for name, pgid in groups.items() if group_alive(pgid)}
    assert not left, f"still running after the stop: {left}\n{tail(log)}"
    assert "stopped" in tail(log, 500)
