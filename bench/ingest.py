"""Ingest benchmark: drawings/s and latency of `POST /api/drawings`, against its floor.

For each stack it measures, at concurrency 1 and 32 (`--modes`, all by default):

* served: a real `crowdsketch serve` subprocess (uvicorn, uvloop, httptools), N of them on N
  ports with `--workers N` (`crowdsketch serve` has no workers option; the client
  round-robins across the ports), loaded over loopback by httpx.AsyncClient (or, with
  `--client raw`, by a minimal HTTP/1.1 client that takes less CPU from the shared cores).
  With the default settings (consent required): before each run, untimed, every session it
  can use agrees to the terms (`GET /api/terms`, `POST /api/consent`), and each measured
  request includes the consent check;
* direct: the same servers, each drawing sent by direct upload as the game sends a large one:
  `POST /api/drawings/uploads {shapeId, size, sha256}`, a PUT of the strokes to the URL it
  answers (on the app itself for embedded, a pre-signed URL on the moto server for
  distributed), then `POST /api/drawings {shapeId, uploadId}`; one drawing, its latency end to
  end, with the same client (`--client`; the raw one keeps a pool per host:port);
* floor: the same writes made straight to the backends, in this process, with no HTTP and
  no uvicorn: `Resources.build(Settings(...)).collection.submit(Submission(...))`, i.e. the
  service's own flow (idempotency claim with set-if-absent, blob put, one DB transaction:
  session upsert + insert + today's count, next-prompt get/set, idempotency answer stored).
  The stroke data are parsed into `StrokeData` before the clock starts. The service's write
  checks consent, so every session agrees first, in-process and untimed;
* blob put: the blob store alone, one put of each drawing's strokes (no drawing can be
  stored faster than its blob).

For served and direct runs, "server CPU ms/drawing" is the server processes' CPU (from /proc,
per process: the "server" group of the CPU table) × 1000 / drawings/s: the CPU time the
service spent on each drawing, whatever else shares the machine.

Stacks:

* embedded: SQLite + files + in-process key-value store, in fresh temporary data dirs;
* distributed: PostgreSQL (a fresh database, dropped at the end), Redis db 14 (flushed),
  and the S3 API served by moto in its own subprocess (`bench/moto_quiet.py`: moto's server
  without its per-request log line).

Everything runs on this machine: the load generator, the server(s), moto, PostgreSQL and
Redis share its cores, and the CPU table says who used them. Every request carries a unique
X-Idempotency-Key and a distinct 40–120-point drawing of one of the 12 default shapes; each
concurrent slot is one contributor (a new session every 25 drawings). Non-201 answers are
errors, and the rows stored are counted against the 201s at the end.

    python bench/ingest.py                       # full run, both stacks
    python bench/ingest.py --quick               # a small run
    python bench/ingest.py --stacks distributed --workers 2
    python bench/ingest.py --client raw --requests-c1 300 --requests-c32 2000
    python bench/ingest.py --quick --modes served,direct    # no floor or blob-put runs
    python bench/ingest.py --stacks distributed --modes served --loaded-database crowdsketch_scale_10000000

The code: drawings.py (the drawings sent), load.py (load generators, latency), cpu.py
(/proc CPU accounting), stacks.py (processes and backends), moto_quiet.py (the S3 server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/ingest.py`: import bench.* and crowdsketch from this tree

from bench import session  # noqa: E402
from bench.drawings import Corpus  # noqa: E402
from bench.load import Result, blob_put_runs, floor_runs, served_runs  # noqa: E402
from bench.stacks import Distributed, Embedded, start_servers  # noqa: E402

CHECKED = "expected (measured 201s + warm-ups)"
MODES = ("served", "direct", "floor", "blob")  # --modes; "blob" makes the "blob put" rows
PEER = (383.0, 1.45)  # the Node peer's best drawings/s at c=32, and its server CPU ms per drawing (issue 18)


def measure_stack(runner: asyncio.Runner, stack: str, settings, serve_env: dict[str, str], corpus: Corpus,  # type: ignore[no-untyped-def]
                  args: argparse.Namespace, workdir: Path) -> list[Result]:
    """The blob store alone and the floor first (no server running), then the served stack."""
    plan = {1: args.requests_c1, 32: args.requests_c32}  # concurrency: measured requests
    results: list[Result] = []
    if "blob" in args.modes:
        results += runner.run(blob_put_runs(stack, settings, corpus, plan, args.warmup))
    if "floor" in args.modes:
        results += runner.run(floor_runs(stack, settings, corpus, plan, args.warmup))
    over_http = [mode for mode in ("served", "direct") if mode in args.modes]
    if not over_http:
        return results
    with ExitStack() as servers:
        urls = start_servers(servers, serve_env, args.workers, workdir, stack)
        if stack == "embedded" and args.workers > 1:
            print(f"  note: {args.workers} processes share one SQLite file; each has its own in-memory "
                  "key-value store, so idempotency is per process", flush=True)
        for mode in over_http:
            results += runner.run(served_runs(stack, urls, corpus, args.client, plan, args.warmup, mode))
    return results


def expected_rows(results: list[Result], warmup: int) -> int:
    return sum(r.ok + warmup for r in results if r.mode != "blob put")


def bench_embedded(runner: asyncio.Runner, corpus: Corpus, args: argparse.Namespace, workdir: Path) -> tuple[list[Result], str]:
    print("embedded: SQLite + files + in-process key-value store", flush=True)
    # The floor and the served stack each in its own data dir.
    log = workdir / "embedded-migrate.log"
    floor, served = Embedded.prepare(workdir / "embedded-floor", log), Embedded.prepare(workdir / "embedded-served", log)
    results = measure_stack(runner, "embedded", floor.settings(), served.env(CROWDSKETCH_LOG_LEVEL=args.log_level),
                            corpus, args, workdir)
    stored = floor.rows() + served.rows()
    return results, f"embedded: {stored} drawing rows stored, {expected_rows(results, args.warmup)} {CHECKED}"


def bench_distributed(runner: asyncio.Runner, corpus: Corpus, args: argparse.Namespace, workdir: Path,
                      existing: str | None = None) -> tuple[list[Result], str]:
    name = "distributed" if existing is None else "loaded"
    print(f"{name}: PostgreSQL{f' (the database {existing}, as loaded)' if existing else ''} + Redis db 14 + "
          "S3 (moto server subprocess)", flush=True)
    with ExitStack() as stack:
        backends = Distributed.start(stack, workdir, existing)
        results = measure_stack(runner, name, backends.settings(),
                                backends.env(CROWDSKETCH_LOG_LEVEL=args.log_level), corpus, args, workdir)
        rows, sessions, served, consented = backends.rows_and_sessions()
    return results, (f"{name}: {rows} drawing rows stored, {expected_rows(results, args.warmup)} {CHECKED}; "
                     f"{sessions} sessions with drawings, {served} of them agreed to the terms first "
                     f"({consented - served} more agreed and drew nothing)")


def server_ms(r: Result) -> float | None:
    """The server processes' CPU per drawing, in ms, for a run over HTTP."""
    return 1000 * r.cpu.get("server", 0.0) / r.rate if r.mode in ("served", "direct") and r.rate else None


def report(results: list[Result], checks: list[str], args: argparse.Namespace) -> None:
    floors = {(r.stack, r.conc): r.rate for r in results if r.mode == "floor"}
    order = {"embedded": 0, "distributed": 1, "loaded": 2}
    rank = {"served": 0, "direct": 1}  # then floor and blob put, by concurrency
    results = sorted(results, key=lambda r: (order[r.stack], rank.get(r.mode, 2), r.conc))
    print()
    print(f"POST /api/drawings, {args.workers} server process(es) per served stack, {args.client} client, consent "
          "required (every session agreed to the terms before the run, untimed; each submission checks it); direct = the same by direct upload (POST /api/drawings/uploads, PUT, "
          "finalize: one drawing); floor = resources.collection.submit(Submission(...)) in-process (same "
          "writes, no HTTP/uvicorn); server CPU ms/drawing = server cores × 1000 / drawings/s")
    print(f"{'stack':<12} {'mode':<10} {'conc':>4} {'drawings/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'% of floor':>11} {'server CPU ms/drawing':>22}")
    for r in results:
        floor = floors.get((r.stack, r.conc))
        share = f"{100 * r.rate / floor:.0f}%" if floor else "-"
        cpu_ms = server_ms(r)
        print(f"{r.stack:<12} {r.mode:<10} {r.conc:>4} {r.rate:>11.1f} {r.pct(0.5):>8.2f} {r.pct(0.99):>8.2f} "
              f"{sum(r.errors.values()):>7} {share:>11} {f'{cpu_ms:.2f}' if cpu_ms is not None else '-':>22}")
    print()
    print(f"CPU used during each measured run, in cores (this machine has {os.cpu_count()}):")
    groups = ["loadgen", "server", "moto", "postgres", "redis", "other", "_irq", "_busy", "_steal"]
    print(f"{'stack':<12} {'mode':<10} {'conc':>4} " + " ".join(f"{g.strip('_'):>9}" for g in groups))
    for r in results:
        print(f"{r.stack:<12} {r.mode:<10} {r.conc:>4} " + " ".join(f"{r.cpu.get(g, 0.0):>9.2f}" for g in groups))
    print(f"(loadgen = this process: the {args.client} client for 'served' and 'direct', client + the whole service for 'floor'; "
          "other = every other process and kernel thread; irq = irq+softirq time, mostly loopback TCP; "
          "busy = machine-wide non-idle time; steal = time the hypervisor gave elsewhere)")
    busy = [r for r in results if r.cpu.get("other", 0.0) > 0.25]
    if busy:
        print("WARNING: other processes used the CPU during " + ", ".join(f"{r.stack} {r.mode} c={r.conc}" for r in busy)
              + " ('other' column): those numbers are low; rerun on a quiet machine")
    errors = [r for r in results if r.errors]
    if errors:
        print()
        for r in errors:
            print(f"errors {r.stack} {r.mode} c={r.conc}: {dict(r.errors)}")
            for sample in r.error_samples:
                print(f"    {sample}")
    print()
    for check in checks:
        print(check)
    served = next((r for r in results if r.stack == "distributed" and r.mode == "served" and r.conc == 32), None)
    if served is not None:
        floor = floors.get(("distributed", 32))
        share = 100 * served.rate / floor if floor else float("nan")
        fast, close = served.rate >= 500, share >= 50
        print(f"distributed c=32: {served.rate:.1f} drawings/s ({'>=' if fast else '<'} 500), "
              f"{share:.0f}% of its floor ({'>=' if close else '<'} 50%): "
              f"{'target MET' if fast and close else 'target NOT met'}")
    peer_check(results)
    loaded_check(results)


def loaded_check(results: list[Result]) -> None:
    """Issue 21: ingest into a loaded database within 10% of the empty one's, same run."""
    rates = {r.stack: r.rate for r in results if r.mode == "served" and r.conc == 32}
    if "loaded" in rates and rates.get("distributed"):
        ratio = rates["loaded"] / rates["distributed"]
        print(f"loaded vs empty database, served c=32: {rates['loaded']:.1f} vs {rates['distributed']:.1f} drawings/s "
              f"= {ratio:.2f}× ({'within' if ratio >= 0.9 else 'NOT within'} 10%)")


def peer_check(results: list[Result]) -> None:
    """Issue 18: at c=32 on the distributed stack, server CPU per drawing at most the Node
    peer's, and drawings/s above its best unless the blob store alone (blob put) is slower."""
    at32 = {r.mode: r for r in results if r.stack == "distributed" and r.conc == 32}
    ceiling = at32["blob put"].rate if "blob put" in at32 else None
    needed = min(PEER[0], ceiling) if ceiling is not None else PEER[0]
    for mode in ("served", "direct"):
        r = at32.get(mode)
        cpu_ms = server_ms(r) if r is not None else None
        if r is None or cpu_ms is None:
            continue
        met = cpu_ms <= PEER[1] and r.rate > needed
        print(f"distributed {mode} c=32 vs the Node peer: {cpu_ms:.2f} server CPU ms/drawing ({'<=' if cpu_ms <= PEER[1] else '>'} "
              f"{PEER[1]}), {r.rate:.1f} drawings/s ({'>' if r.rate > needed else '<='} {needed:.0f}"
              f"{', the blob put ceiling' if needed < PEER[0] else ''}): {'MET' if met else 'NOT met'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", default="embedded,distributed", help="comma-separated: embedded,distributed")
    parser.add_argument("--loaded-database", metavar="NAME",
                        help="also run the distributed stack against this existing PostgreSQL database (kept), e.g. "
                             "one `bench/scale.py load` filled: the 'loaded' rows, compared with the empty database's")
    parser.add_argument("--workers", type=int, default=1, help="crowdsketch serve processes per served stack (one port each)")
    parser.add_argument("--requests-c1", type=int, default=300, help="measured requests at concurrency 1")
    parser.add_argument("--requests-c32", type=int, default=2000, help="measured requests at concurrency 32")
    parser.add_argument("--warmup", type=int, default=50, help="requests before each measured run")
    parser.add_argument("--quick", action="store_true", help="a small run: 40 / 320 requests, 20 warm-up")
    parser.add_argument("--log-level", default="INFO", help="CROWDSKETCH_LOG_LEVEL of the served stacks (default INFO, as deployed)")
    parser.add_argument("--client", choices=["httpx", "raw"], default="httpx",
                        help="load generator for the served stacks: httpx.AsyncClient (default) or a minimal "
                             "HTTP/1.1 keep-alive client on asyncio streams (less CPU taken from the server)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="comma-separated: served (inline over HTTP), direct (by direct upload over HTTP), "
                             "floor (in-process), blob (the blob store alone); default all")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs, SQLite files)")
    args = parser.parse_args()
    if args.quick:
        args.requests_c1, args.requests_c32, args.warmup = 40, 320, 20
    args.stacks = [s.strip() for s in args.stacks.split(",") if s.strip()]
    unknown = set(args.stacks) - {"embedded", "distributed"}
    if unknown or not args.stacks:
        parser.error(f"unknown stacks: {sorted(unknown)}")
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(args.modes) - set(MODES)
    if unknown or not args.modes:
        parser.error(f"unknown modes: {sorted(unknown)} (choose from {', '.join(MODES)})")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    if "distributed" in args.stacks and args.workers * 40 > 90:
        print(f"warning: {args.workers} servers × 40 pooled connections may pass PostgreSQL's max_connections", flush=True)

    session.start("load generator, servers, moto, PostgreSQL and Redis all share them")
    corpus = Corpus.build(1000)
    results: list[Result] = []
    checks: list[str] = []
    import uvloop

    try:
        with session.scratch("crowdsketch-bench-", args.keep) as workdir, \
                asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            for name, bench in (("embedded", bench_embedded), ("distributed", bench_distributed)):
                if name in args.stacks:
                    stack_results, check = bench(runner, corpus, args, workdir)
                    results += stack_results
                    checks.append(check)
            if args.loaded_database:
                stack_results, check = bench_distributed(runner, corpus, args, workdir, args.loaded_database)
                results += stack_results
                checks.append(check)
    except session.Interrupted:
        return 130
    report(results, checks, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
