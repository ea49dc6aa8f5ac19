"""Mixed-load benchmark: 80% classify, 18% submissions, 2% admin reads, on both stacks.

For each stack, in one run: mixed traffic (bench/mixed_load.py) at concurrency 1, 8 and 32,
then classify alone at concurrency 32 on the same stack for reference. It prints, per stack
and concurrency, requests/s and p50/p95/p99 latency overall and per kind, errors by status,
the CPU each process group used, and the mixed c=32 throughput beside classify-only's.

The settings are the defaults, consent required: before each run, untimed, every session its
submissions can use agrees to the terms (`POST /api/consent`), so each submission passes the
route's consent check (one primary-key read of the session row) as a contributor's does.

Stacks (bench/mixed_stacks.py):

* embedded: one `crowdsketch serve --no-worker` process, SQLite + files + in-process
  key-value store, in a fresh data dir;
* distributed: the real topology of deploy/run.py (`make run-distributed`) on free ports:
  nginx in front of one process each for collection, admin and inference, on a fresh
  PostgreSQL database, Redis db 14 and moto S3, with no training workers. Every request goes
  through nginx.

A small model (12 shapes × --train-per-shape synthetic drawings, --train-epochs epochs) is
trained here first and published into both stacks; each stack's data dir, database, Redis db
and S3 server are made for the run and removed at the end, and everything started is
stopped by its pid. The load generator, the servers, nginx, moto, PostgreSQL and Redis all
share this machine's cores: the CPU table says who used them, and the load average is
printed before and after.

    python bench/mixed.py                    # both stacks, c = 1, 8, 32 (a few minutes)
    python bench/mixed.py --quick            # a short run
    python bench/mixed.py --stacks embedded --requests 300,1200,2400
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/mixed.py`: import bench.* and crowdsketch from this tree

from bench import session  # noqa: E402
from bench.drawings import Corpus  # noqa: E402
from bench.mixed_load import KINDS, Mixed, Traffic, admin_cookie, classify_bodies, mix  # noqa: E402
from bench.mixed_stacks import ADMIN_EMAIL, Served, serve_distributed, serve_embedded, train_small_model  # noqa: E402

CPU_GROUPS = ["loadgen", "server", "nginx", "collection", "admin", "inference", "deploy", "moto", "postgres", "redis",
              "other", "_busy"]


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


async def measure_stack(served: Served, bodies: list[bytes], corpus: Corpus, args: argparse.Namespace) -> list[Mixed]:
    sid = await admin_cookie(served.url, ADMIN_EMAIL, served.admin_password)
    plans = [("mixed", mix(), c, n) for c, n in zip(args.concurrency, args.requests, strict=True)]
    plans.append(("classify-only", ["classify"], 32, args.requests_classify))
    # Submissions alone at c=32: what the mix's submit latency is compared with.
    plans.append(("submit-only", ["submit"], 32, args.requests_submit))
    results = []
    for mode, plan, concurrency, total in plans:
        traffic = Traffic(served.url, sid, bodies, corpus)  # a fresh client and fresh sessions each run
        try:
            results.append(await traffic.measure(served.stack, mode, plan, concurrency, total, args.warmup))
        finally:
            await traffic.aclose()
    return results


def report(results: list[Mixed], notes: list[str], loads: tuple[str, str]) -> None:
    print()
    print("Mixed load: 80% POST /api/inference/classify, 18% POST /api/drawings, 2% GET /api/admin/drawings?limit=50 "
          "| /api/admin/stats (logged in); raw HTTP/1.1 client (httpx for the admin reads); consent required: every "
          "submitting session agreed to the terms before its run, untimed, and each submission reads it")
    for note in notes:
        print(f"  {note}")
    print(f"{'stack':<12} {'mode':<14} {'conc':>4} {'kind':<9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'n':>6}  errors")
    for m in results:
        for label, r in [("all", m.total), *((kind, m.kinds[kind]) for kind in KINDS if kind in m.kinds)]:
            if m.total.mode != "mixed" and label != "all":
                continue
            errors = ", ".join(f"{status}: {count}" for status, count in sorted(r.errors.items())) or "0"
            print(f"{r.stack if label == 'all' else '':<12} {m.total.mode if label == 'all' else '':<14} "
                  f"{r.conc if label == 'all' else '':>4} {label:<9} {r.rate:>8.1f} {r.pct(0.5):>8.2f} "
                  f"{r.pct(0.95):>8.2f} {r.pct(0.99):>8.2f} {r.n:>6}  {errors}")
    print()
    print(f"CPU used during each measured run, in cores (this machine has {os.cpu_count()}):")
    print(f"{'stack':<12} {'mode':<14} {'conc':>4} " + " ".join(f"{g.strip('_'):>10}" for g in CPU_GROUPS))
    for m in results:
        r = m.total
        print(f"{r.stack:<12} {r.mode:<14} {r.conc:>4} " + " ".join(f"{r.cpu.get(g, 0.0):>10.2f}" for g in CPU_GROUPS))
    print("(loadgen = this process; server = the embedded `crowdsketch serve`; deploy = deploy/run.py's supervisor; "
          "other = every other process on the machine; busy = machine-wide non-idle time)")
    busy = [m.total for m in results if m.total.cpu.get("other", 0.0) > 0.25]
    if busy:
        print("WARNING: other processes used the CPU during " + ", ".join(f"{r.stack} {r.mode} c={r.conc}" for r in busy)
              + " ('other' column): those numbers are low")
    for m in results:
        for sample in m.total.error_samples:
            print(f"  error sample {m.total.stack} {m.total.mode} c={m.total.conc}: {sample}")
    print()
    for stack in dict.fromkeys(m.total.stack for m in results):
        mixed = next((m for m in results if m.total.stack == stack and m.total.mode == "mixed" and m.total.conc == 32), None)
        alone = next((m for m in results if m.total.stack == stack and m.total.mode == "classify-only"), None)
        if mixed and alone:
            classify = mixed.kinds["classify"].rate
            print(f"{stack}: c=32 mixed {mixed.total.rate:,.1f} req/s = {mixed.total.rate / alone.total.rate:.2f}× "
                  f"classify-only ({alone.total.rate:,.1f} req/s); classifications/s inside the mix "
                  f"{classify:,.1f} = {classify / alone.total.rate:.2f}×; classify-only c=32 "
                  f"{'≥' if alone.total.rate >= 1000 else '<'} 1,000 req/s")
            submits = next((m for m in results if m.total.stack == stack and m.total.mode == "submit-only"), None)
            if submits is not None:
                inside, by_itself = mixed.kinds["submit"].pct(0.5), submits.total.pct(0.5)
                print(f"{stack}: submit p50 at c=32 inside the mix {inside:.1f} ms = {inside / by_itself:.2f}× "
                      f"submit-only c=32 ({by_itself:.1f} ms; aim ≤ 4×)")
            cores = alone.total.cpu.get("server", 0.0) + alone.total.cpu.get("inference", 0.0)
            if cores > 0:
                print(f"{stack}: classify-only c=32 took {cores:.2f} cores of the serving process: "
                      f"{alone.total.rate / cores:,.0f} req/s per core of it")
    print(f"load average (1, 5, 15 min): {loads[0]} before, {loads[1]} after")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", default="embedded,distributed", help="comma-separated: embedded,distributed")
    parser.add_argument("--requests", default="400,1600,3200", help="measured mixed requests at c = 1, 8, 32")
    parser.add_argument("--requests-classify", type=int, default=3000, help="measured classify-only requests at c=32")
    parser.add_argument("--requests-submit", type=int, default=800, help="measured submit-only requests at c=32")
    parser.add_argument("--warmup", type=int, default=50, help="requests before each measured run")
    parser.add_argument("--train-per-shape", type=int, default=100, help="synthetic drawings per shape for the model")
    parser.add_argument("--train-epochs", type=int, default=3, help="epochs for the model")
    parser.add_argument("--quick", action="store_true", help="a short run: 100 / 300 / 600 mixed, 600 classify, 20 warm-up")
    parser.add_argument("--log-level", default="INFO", help="CROWDSKETCH_LOG_LEVEL of the services (default INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite, nginx config)")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.requests_classify, args.warmup, args.train_per_shape = "100,300,600", 600, 20, 40
    args.concurrency = [1, 8, 32]
    args.requests = [int(n) for n in args.requests.split(",")]
    if len(args.requests) != 3 or min(args.requests) < 1:
        parser.error("--requests: three positive counts, for c = 1, 8, 32")
    args.stacks = [s.strip() for s in args.stacks.split(",") if s.strip()]
    if not args.stacks or set(args.stacks) - {"embedded", "distributed"}:
        parser.error(f"--stacks: embedded and/or distributed, not {args.stacks}")
    return args


def main() -> int:
    args = parse_args()
    loads = [load_average()]
    print(f"load average (1, 5, 15 min) before the run: {loads[0]}", flush=True)
    session.start("the load generator, the services, nginx, moto, PostgreSQL and Redis share them")
    bodies = classify_bodies(600)
    corpus = Corpus.build(1000)
    results: list[Mixed] = []
    notes: list[str] = []
    import uvloop

    try:
        with session.scratch("crowdsketch-mixed-", args.keep) as workdir, \
                asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            model = train_small_model(args.train_per_shape, args.train_epochs)
            for name, serve in (("embedded", serve_embedded), ("distributed", serve_distributed)):
                if name not in args.stacks:
                    continue
                print(f"{name}: starting", flush=True)
                with ExitStack() as stack:
                    served = serve(stack, workdir, model, args.log_level)
                    notes.append(f"{name}: {served.note}")
                    results += runner.run(measure_stack(served, bodies, corpus, args))
    except session.Interrupted:
        return 130
    loads.append(load_average())
    report(results, notes, (loads[0], loads[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
