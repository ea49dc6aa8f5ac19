"""Training, as an admin does it through nginx, and the job rows as PostgreSQL has them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.faults.load import CLIENT_TIMEOUT_S
from tests.faults.stack import ADMIN_EMAIL, ADMIN_PASSWORD, ROOT, FaultTopology

TRAINING_SHAPES = ("line", "square", "triangle")  # none of them the load's


@contextmanager
def admin_client(topology: FaultTopology) -> Iterator[httpx.Client]:
    """Logged in as the deploy script's first admin: session cookie and CSRF token kept."""
    with httpx.Client(base_url=topology.url, timeout=CLIENT_TIMEOUT_S, trust_env=False) as http:
        login = http.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        if login.status_code != 200:
            raise AssertionError(f"admin log-in: {login.status_code} {login.text}")
        http.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        yield http


def job_states(topology: FaultTopology, job_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each job's row, read straight from PostgreSQL."""
    rows = topology.query(
        "SELECT id::text, status, attempts, lease_owner, error, progress::text AS progress "
        "FROM training_jobs WHERE id::text = ANY($1::text[])", job_ids)
    return {row["id"]: dict(row) for row in rows}


def wait_for_jobs(topology: FaultTopology, job_ids: list[str], within_s: float) -> dict[str, dict[str, Any]]:
    """Until every job has ended; their rows."""
    def ended() -> dict[str, dict[str, Any]] | None:
        states = job_states(topology, job_ids)
        finished = {"completed", "failed", "cancelled"}
        return states if len(states) == len(job_ids) and all(s["status"] in finished for s in states.values()) else None

    return topology.until(f"training jobs {job_ids} end", ended, within_s, interval_s=0.25)


def models_per_job(topology: FaultTopology) -> dict[str, int]:
    rows = topology.query("SELECT job_id::text AS job, count(*) AS n FROM models GROUP BY job_id")
    return {row["job"]: row["n"] for row in rows}


def completions_logged(topology: FaultTopology) -> Counter[str]:
    """How many times the workers logged each job as completed."""
    return Counter(record.get("jobId") for record in topology.log_records("worker.")
                   if record.get("message") == "training job completed")


def holder_pid(lease_owner: str | None) -> int | None:
    """A worker's identity is host:pid:nonce (crowdsketch.ports.queue_adapters.worker_identity)."""
    if not lease_owner:
        return None
    parts = lease_owner.split(":")
    return int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None


def train(topology: FaultTopology, http: httpx.Client, config: dict[str, Any], within_s: float = 90.0) -> dict[str, Any]:
    """Start a job and wait for it to end; its row."""
    started = http.post("/api/admin/training/start", json=config)
    if started.status_code != 201:
        raise AssertionError(f"training start: {started.status_code} {started.text}")
    job_id = started.json()["id"]
    return wait_for_jobs(topology, [job_id], within_s)[job_id]


def prepare(topology: FaultTopology, per_shape: int = 20, seed: int = 7) -> str:
    """Synthetic drawings (`crowdsketch seed`, through the proxies like any process of the
    deployment) and a first model, loaded by every inference process: its id."""
    seeded = subprocess.run([sys.executable, "-m", "crowdsketch.cli", "seed", "--per-shape", str(per_shape),
                             "--seed", str(seed)], env=topology.env, cwd=str(ROOT), capture_output=True, text=True,
                            timeout=120)
    if seeded.returncode != 0:
        raise AssertionError(f"crowdsketch seed failed:\n{seeded.stdout}{seeded.stderr}")
    with admin_client(topology) as http:
        job = train(topology, http, training_config(seed=1))
        if job["status"] != "completed":
            raise AssertionError(f"the first training job ended {job['status']}: {job['error']}\n{topology.tail()}")
        model_id = str(topology.query("SELECT id::text FROM models WHERE active")[0]["id"])

    def everywhere() -> bool:
        answers = [httpx.get(f"{url}/api/inference/model/info", timeout=5, trust_env=False)
                   for url in topology.inference_urls]
        return all(a.status_code == 200 and a.json()["id"] == model_id for a in answers)

    topology.until("every inference process loads the first model", everywhere, 30, interval_s=0.2)
    return model_id


def training_config(seed: int, epochs: int = 1) -> dict[str, Any]:
    """A small job: a few shapes the load does not draw, so its data stay the seeded ones."""
    return {"epochs": epochs, "shapes": list(TRAINING_SHAPES), "seed": seed}
