"""Fault injection on the distributed topology (deploy/run.py behind nginx): PostgreSQL,
Redis, RabbitMQ and the S3 endpoint each taken away at its proxy while contributors submit
drawings and implementors classify through nginx, then given back.

What a client may see meanwhile: 201/200, 409 for an idempotency key in flight, or 503
with Retry-After in the error envelope, each within the 10 s client timeout; never a 500
or a hang. Afterwards: every drawing answered 201 has its row, no row lacks its strokes,
the only strokes without a row are ones the doctor finds and removes, and the service
serves again after the dependency's return by itself, without a restart. (How soon is the
product's 5 s promise, a figure that bench/faults.py measures and BENCHMARKS.md keeps: on a
shared, busy machine a test cannot hold a service to a speed.) Training jobs
started while RabbitMQ is away run once it is back, each completed once; a worker killed
mid-training leaves its job to the other worker.

Select them with `-m faults`; the scenario code is shared with bench/faults.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from tests.faults.consistency import audit_drawings, reconcile
from tests.faults.load import until_serving
from tests.faults.scenario import RECOVERY_DEADLINE_S, FaultResult, run_fault
from tests.support.waiting import JOB_DEADLINE_S
from tests.faults.stack import FaultTopology
from tests.faults.training import (
    admin_client,
    holder_pid,
    job_states,
    models_per_job,
    training_config,
    wait_for_jobs,
)

pytestmark = [pytest.mark.faults, pytest.mark.distributed]

# Dependencies a submission needs: while one is away, submissions are answered 503.
NEEDED_BY_SUBMISSIONS = {"PostgreSQL", "Redis", "S3"}
# Where a submission can store its strokes and then fail: the database refusing the row,
# or the blob store's answer cut after it had stored the blob.
ORPHANS_POSSIBLE = {"PostgreSQL", "S3"}


def _assert_clients_saw_normal_answers(result: FaultResult) -> None:
    assert len(result.sent_during_outage) >= 20, f"too little load during the outage: {len(result.sent_during_outage)}"
    assert not result.problems, f"abnormal answers:\n{result.describe_problems()}"
    if result.dependency in NEEDED_BY_SUBMISSIONS:
        assert result.by_status()["503"] > 0, f"no 503 while {result.dependency} was away: {result.by_status()}"
    assert result.by_status()["200"] > 0, "classification stopped while a dependency it does not need was away"


def _assert_recovered(result: FaultResult) -> None:
    assert result.recovery_s is not None, f"not serving within {RECOVERY_DEADLINE_S:g} s of {result.dependency}'s return"


def _assert_drawings_consistent(topology: FaultTopology, result: FaultResult) -> None:
    audit = audit_drawings(topology)
    assert not audit.rows_without_blob, f"drawing rows without their strokes: {sorted(audit.rows_without_blob)[:5]}"
    answered = set(result.accepted.values())
    assert answered <= audit.row_ids, f"drawings answered 201 without a row: {sorted(answered - audit.row_ids)[:5]}"
    orphan_ids = audit.orphan_ids()
    assert not orphan_ids & answered, "strokes without a row belong to a drawing answered 201"
    if result.dependency not in ORPHANS_POSSIBLE:
        assert not audit.blobs_without_row, f"strokes without a row after {result.dependency} was away"

    reconciled = reconcile(topology)
    assert reconciled.found == audit.blobs_without_row, "the doctor and the audit disagree on the orphan strokes"
    assert reconciled.removed == reconciled.found and not reconciled.left, reconciled
    after = audit_drawings(topology)
    assert after.rows == after.blobs, "rows and strokes still differ after the doctor's repair"
    assert after.rows == audit.rows, "the repair touched a drawing row"


def _assert_topology_whole(topology: FaultTopology, processes: dict[str, int]) -> None:
    assert topology.alive(), f"the topology stopped\n{topology.tail()}"
    assert topology.processes() == processes, "a process of the topology died and was started again"


@pytest.mark.parametrize(("dependency", "how"), [
    ("PostgreSQL", "down"),
    ("Redis", "down"),
    ("S3", "down"),
    ("PostgreSQL", "blackhole"),
])
def test_a_dependency_away_under_load_answers_503_then_serves_again_by_itself(
    topology: FaultTopology, dependency: str, how: str
) -> None:
    processes = topology.processes()
    result = asyncio.run(run_fault(topology, dependency, how, outage_s=4.0))  # type: ignore[arg-type]
    print(f"\n{dependency} {how}: {result.by_status()} during, max latency {result.max_latency_s:.2f} s, "
          f"recovered after {result.recovery_s} s")
    _assert_clients_saw_normal_answers(result)
    _assert_recovered(result)
    # The admin service had no traffic while the dependency was away: its first request
    # afterwards must not be the one that finds out its pooled connections died.
    with admin_client(topology) as http:
        assert http.get("/api/admin/training/jobs").status_code == 200
    _assert_drawings_consistent(topology, result)
    _assert_topology_whole(topology, processes)


def test_the_service_comes_back_even_when_the_dependency_returns_just_after_a_failed_probe(
    topology: FaultTopology,
) -> None:
    """The worst moment to come back: the breaker has just let a probe through, seen it
    fail and opened again, for its whole reset time."""
    processes = topology.processes()
    result = asyncio.run(run_fault(topology, "Redis", "down", outage_s=2.0, after_failed_probe=True))
    print(f"\nRedis back after a failed probe: recovered after {result.recovery_s} s")
    _assert_clients_saw_normal_answers(result)
    _assert_recovered(result)
    _assert_drawings_consistent(topology, result)
    _assert_topology_whole(topology, processes)


def test_training_jobs_started_while_rabbitmq_is_away_run_once_it_is_back_each_completed_once(
    topology: FaultTopology,
) -> None:
    processes = topology.processes()
    with admin_client(topology) as http:
        # One job running when the broker goes away: its delivery is returned to the queue
        # with the connection, and whoever takes it again must not complete it twice.
        running = http.post("/api/admin/training/start", json=training_config(seed=30, epochs=100))
        assert running.status_code == 201, running.text
        running_id = running.json()["id"]
        topology.until("the job runs", lambda: job_states(topology, [running_id])[running_id]["status"] == "running",
                       30, interval_s=0.05)

        async def start_two_jobs() -> list[tuple[int, dict, float]]:
            answers = []
            for seed in (31, 32):
                started = time.monotonic()
                answer = await asyncio.to_thread(http.post, "/api/admin/training/start", json=training_config(seed=seed))
                answers.append((answer.status_code, answer.json(), time.monotonic() - started))
            return answers

        result = asyncio.run(run_fault(topology, "RabbitMQ", "down", outage_s=4.0, during=start_two_jobs))

    for status, body, seconds in result.during:
        assert status == 201, body
        assert body["status"] == "pending", "a job started with the broker away was not left for the sweeper"
        assert seconds < 10, f"starting a job took {seconds:.1f} s with the broker away"
    _assert_clients_saw_normal_answers(result)
    _assert_recovered(result)

    # The worker's sweeper publishes a job left pending for 30 s, every 30 s: within a
    # minute of the outage, then a few seconds of training.
    jobs = [running_id, *(body["id"] for _, body, _ in result.during)]
    states = wait_for_jobs(topology, jobs, within_s=JOB_DEADLINE_S)
    assert {job: state["status"] for job, state in states.items()} == dict.fromkeys(jobs, "completed"), states
    models = models_per_job(topology)
    assert {job: models.get(job, 0) for job in jobs} == dict.fromkeys(jobs, 1), "a job completed other than once"
    model_rows = topology.query("SELECT id::text, job_id::text FROM models WHERE job_id::text = ANY($1::text[])", jobs)
    owners = topology.query("SELECT id::text, model_id::text FROM training_jobs WHERE id::text = ANY($1::text[])", jobs)
    assert {row["job_id"]: row["id"] for row in model_rows} == {row["id"]: row["model_id"] for row in owners}
    _assert_drawings_consistent(topology, result)
    _assert_topology_whole(topology, processes)


def test_a_worker_killed_mid_training_leaves_its_job_to_the_other_worker_which_completes_it(
    topology: FaultTopology,
) -> None:
    workers = {name: pid for name, pid in topology.processes().items() if name.startswith("worker.")}
    assert len(workers) == 2, workers
    with admin_client(topology) as http:
        started = http.post("/api/admin/training/start", json=training_config(seed=40, epochs=60))
        assert started.status_code == 201, started.text
        job_id = started.json()["id"]

    def training() -> dict | None:
        state = job_states(topology, [job_id])[job_id]
        return state if state["status"] == "running" and '"epoch"' in state["progress"] else None

    holder = holder_pid(topology.until("the job trains", training, 60, interval_s=0.02)["lease_owner"])
    assert holder in workers.values(), f"the job is held by {holder}, not by a worker of the topology {workers}"
    os.kill(holder, signal.SIGKILL)
    (killed,) = [name for name, pid in workers.items() if pid == holder]
    survivor = next(pid for name, pid in workers.items() if name != killed)

    state = wait_for_jobs(topology, [job_id], within_s=JOB_DEADLINE_S)[job_id]
    assert state["status"] == "completed", state
    assert holder_pid(state["lease_owner"]) == survivor, f"completed by {state['lease_owner']}, survivor {survivor}"
    assert models_per_job(topology).get(job_id) == 1
    # The rest of the topology went on serving; the dead worker was started again.
    assert topology.alive(), topology.tail()
    restarted = topology.until(f"{killed} is started again",
                               lambda: (pid := topology.processes().get(killed)) != holder and pid, 30)
    assert restarted not in workers.values()
    recovery_s, answers = asyncio.run(until_serving(topology.url, time.monotonic(), deadline_s=10))
    assert recovery_s is not None, [a.problem or a.status for a in answers]
