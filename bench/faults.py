"""Faults benchmark: what a client sees while one dependency of the distributed topology
is away, and how soon the service is back once it returns.

The topology is `make run-distributed`'s (deploy/run.py: nginx, collection, admin, two
inference processes, two workers) with a TCP proxy in front of each of PostgreSQL, Redis,
RabbitMQ and the S3 endpoint (moto, in its own process), on free ports, with a fresh
database, Redis database 15 (the fault tests' too: run one or the other), a queue and a
bucket of its own. After seeding 20 synthetic drawings a shape and training a first model
(1 epoch, 3 shapes), each fault runs once (--repeat), with the scenario code of the tests
(tests/faults/scenario.py, load.py): a bounded load through
nginx (2 contributors submitting with idempotency keys, retrying a 503/409 with the same
key after 0.2/0.5 s, and 2 implementors classifying, 50 ms between requests, 10 s client
timeout) for 1 s, the dependency away for --outage-s (the proxy "down": refused and cut;
or "blackhole": bytes vanish), back, then a fresh submission and classification every
0.1 s until both succeed. During the RabbitMQ outage an admin starts two training jobs.
With ":after-probe" the dependency stays away past --outage-s until the collection
service's circuit breaker has let a probe through and seen it fail, and comes back right
then: the worst moment, with the breaker's whole reset time still to wait.

The table counts the requests sent while the dependency was away, by status; "max
latency" is the slowest of them; "recovered after" is from the dependency's return to
both a submission and a classification answered 201/200. The promise is 5 s.

    python bench/faults.py
    python bench/faults.py --outage-s 8 --faults PostgreSQL:down,S3:blackhole
    python bench/faults.py --faults Redis:down:after-probe --repeat 9 --set CROWDSKETCH_BREAKER_RESET_S=3
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/faults.py`: import bench.*, tests.* and crowdsketch from this tree

from bench import session  # noqa: E402
from bench.stacks import start_moto  # noqa: E402
from tests.faults.consistency import audit_drawings, reconcile  # noqa: E402
from tests.faults.scenario import DEPENDENCIES, FaultResult, run_fault, table  # noqa: E402
from tests.faults.training import (  # noqa: E402
    admin_client,
    completions_logged,
    models_per_job,
    prepare,
    training_config,
    wait_for_jobs,
)
from tests.faults.stack import Backends, FaultTopology  # noqa: E402
from tests.support.processes import find_nginx  # noqa: E402

DEFAULT_FAULTS = ",".join([*(f"{name}:down" for name in DEPENDENCIES), "PostgreSQL:blackhole",
                           "Redis:down:after-probe"])


def run_one(topology: FaultTopology, dependency: str, how: str, outage_s: float, after_failed_probe: bool) -> FaultResult:
    if dependency != "RabbitMQ":
        return asyncio.run(run_fault(topology, dependency, how, outage_s,  # type: ignore[arg-type]
                                     after_failed_probe=after_failed_probe))
    with admin_client(topology) as http:
        async def start_jobs() -> list[tuple[int, str, float]]:
            answers = []
            for seed in (11, 12):
                sent = time.monotonic()
                answer = await asyncio.to_thread(http.post, "/api/admin/training/start", json=training_config(seed=seed))
                answers.append((answer.status_code, answer.json().get("id", ""), time.monotonic() - sent))
            return answers

        result = asyncio.run(run_fault(topology, dependency, how, outage_s, during=start_jobs))  # type: ignore[arg-type]
    for status, _, seconds in result.during:
        print(f"  training start with the broker away: {status} in {seconds * 1000:.0f} ms", flush=True)
    states = wait_for_jobs(topology, [job_id for status, job_id, _ in result.during if status == 201], within_s=120)
    took = time.monotonic() - result.returned_at
    models, completions = models_per_job(topology), completions_logged(topology)
    for job_id, state in states.items():
        print(f"  job {job_id[:8]} started during the outage: {state['status']}, {models.get(job_id, 0)} model(s), "
              f"completed {completions[job_id]} time(s), ended {took:.0f} s after the broker returned", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outage-s", type=float, default=4.0)
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help=f"DEPENDENCY:down|blackhole[:after-probe],... (default {DEFAULT_FAULTS})")
    parser.add_argument("--repeat", type=int, default=1, help="run each fault this many times (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every process of the deployment, e.g. CROWDSKETCH_BREAKER_RESET_S=3")
    args = parser.parse_args()
    faults = [tuple(item.split(":")) for item in args.faults.split(",")]
    nginx = find_nginx()
    if nginx is None:
        sys.exit("nginx is not installed (Debian: apt-get install -y nginx)")
    if missing := Backends().missing():
        sys.exit("; ".join(missing))

    session.start("faults benchmark: the distributed topology behind nginx, one dependency away at a time")
    results: list[FaultResult] = []
    with session.scratch("crowdsketch-faults-", args.keep) as workdir, ExitStack() as stack:
        endpoint = start_moto(stack, workdir / "moto.log")
        overrides = dict(item.split("=", 1) for item in args.set)
        topology = FaultTopology(workdir / "topology", endpoint, nginx, overrides=overrides)
        stack.callback(topology.stop)
        started = time.monotonic()
        topology.start()
        prepare(topology)
        print(f"topology up, seeded and first model trained in {time.monotonic() - started:.0f} s", flush=True)
        for dependency, how, *when in [fault for fault in faults for _ in range(args.repeat)]:
            result = run_one(topology, dependency, how, args.outage_s, when == ["after-probe"])
            results.append(result)
            audit = audit_drawings(topology)
            reconciled = reconcile(topology)
            lost = set(result.accepted.values()) - audit.row_ids
            print(f"{dependency} {result.how}: {len(result.sent_during_outage)} requests during the outage, "
                  f"{len(result.problems)} abnormal answers, recovered after "
                  f"{'-' if result.recovery_s is None else f'{result.recovery_s:.2f} s'}; "
                  f"rows without strokes {len(audit.rows_without_blob)}, strokes without a row "
                  f"{len(audit.blobs_without_row)} (the doctor removed {len(reconciled.removed)}), "
                  f"201s without a row {len(lost)}", flush=True)
            if result.problems:
                print("  " + result.describe_problems().replace("\n", "\n  "), flush=True)
    print()
    print(table(results))


if __name__ == "__main__":
    try:
        main()
    except session.Interrupted:
        sys.exit(130)
