"""Drawing together: the latency from a point one participant draws to its arrival on the
others' canvases, with 10 rooms of 4 people drawing at once, and what it costs the server.

A real `crowdsketch serve --no-bootstrap` (its worker child idle) on a fresh data dir (with
`--stacks distributed`, the same process on a fresh PostgreSQL database, Redis db 14 and moto
S3, as bench/stacks.py starts them; no nginx); every
session agrees to the terms first (`POST /api/consent`, untimed), as a browser does. Per
scenario, new rooms are made (`POST /api/together`) and joined (`POST .../join`), and the
participants' sockets (`/api/together/{room}?ticket=`) are spread over `--procs` client
processes (bench/together_clients.py), every room's people across both, as separate
browsers are. When everyone sees the whole room, each participant draws `--rate` points a
second (one Yjs update per point, a new stroke every 40 points, each participant out of
step with the others) for `--warmup` unmeasured seconds and then `--seconds` measured ones.

Latency, per (point, receiving participant): the receiver's clock when its document had the
point minus the point's `t`, the sender's clock when it drew it (one machine, one clock);
p50/p95/p99/max over every pair of the measured window, against the aim p95 <= 100 ms.
Deliveries missing after the drain are counted. Server CPU, from /proc over the measured
window: the `serve` process (it holds the rooms) in % of one core and in ms per 1,000
deliveries, and its worker child apart (idle; the run waits for both to settle after start);
for each, the time its threads were runnable but waiting for a core (schedstat).
The client processes' CPU and their event loops' lag (how late a 10 ms sleep wakes) say
whether the clients, on the same 2 cores, held the latency up themselves.

A baseline, 1 room of 2 (`--baseline`), runs first on the same server: the loaded p95 is
given as a ratio of its p95.

    python bench/together.py [--rooms 10] [--clients 4] [--rate 60] [--seconds 20] [--warmup 2]
                             [--baseline 1x2] [--procs 2] [--stacks embedded,distributed] [--keep]
                             # exits 1 if the loaded p95 misses 100 ms or a delivery is lost
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import sys
import time
import uuid
from array import array
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/together.py`: import bench.*, tests.* and crowdsketch from this tree

from bench import session  # noqa: E402
from bench.cpu import CPU, CpuSampler  # noqa: E402
from bench.load import agree_to_terms  # noqa: E402
from bench.stacks import Distributed, Embedded, crowdsketch_cmd, free_port, start_process, wait_http  # noqa: E402
from bench.together_clients import Outcome, Schedule, Seat, run_clients  # noqa: E402

AIM_P95_MS = 100.0
UPDATE_BYTES = 45  # about one point's Yjs update (38 bytes), and a stroke's start now and then
START_AFTER_S = 0.5  # from "everyone ready" to the first point


@dataclass(frozen=True)
class Scenario:
    name: str
    rooms: int
    clients: int


@dataclass
class Result:
    stack: str
    scenario: Scenario
    rate: float
    seconds: float
    latencies: array = field(default_factory=lambda: array("d"))
    lags: array = field(default_factory=lambda: array("d"))
    sent: int = 0  # points drawn in the measured window
    expected: int = 0  # deliveries those points owe: each to every other participant of its room
    received: int = 0
    closed: list[int] = field(default_factory=list)
    late_draws: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # cores per group over the window
    waited: dict[str, float] = field(default_factory=dict)  # per group: runnable, waiting for a core, s per s

    def pct(self, p: float, values: array | None = None) -> float:
        ordered = sorted(self.latencies if values is None else values)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else math.nan

    @property
    def others(self) -> float:
        """Cores the rest of the machine used: busy time less this run's processes (the
        sampler misses processes that ended during the window, a test suite's many)."""
        ours = ("server", "worker", "clients", "loadgen", "postgres", "moto")
        return max(0.0, self.cpu.get("_busy", 0.0) - sum(self.cpu.get(group, 0.0) for group in ours))

    @property
    def server_ms_per_1k(self) -> float:
        return 1000 * self.cpu.get("server", 0.0) * self.seconds / (self.received / 1000) if self.received else math.nan


# --- The server.

def descendants(pid: int) -> list[int]:
    """The processes started by `pid`, and theirs (serve's worker child)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(raw[raw.rindex(")") + 2:].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def run_queue_s(pids: list[int]) -> float:
    """Seconds the threads of `pids` have spent runnable but waiting for a core (schedstat)."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(task.read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def start_server(stack: ExitStack, name: str, workdir: Path, env_extra: dict[str, str]) -> tuple[str, list[int]]:
    log = workdir / f"{name}.log"
    if name == "embedded":
        env = Embedded.prepare(workdir / "embedded-data", log).env(**env_extra)
    else:
        env = Distributed.start(stack, workdir).env(**env_extra)
    port = free_port()
    proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                         [*crowdsketch_cmd(), "serve", "--no-bootstrap", "--no-migrate", "--host", "127.0.0.1",
                          "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", proc, log)
    for child in descendants(proc.pid):  # the worker child: idle here, but starting up at first
        CPU.track(child, "worker")
        stack.callback(CPU.untrack, child)
    settle()
    return url, [proc.pid]


def settle(quiet: float = 0.05, timeout_s: float = 90) -> None:
    """Wait until `serve` and its worker child are done starting (imports, a model loaded):
    under `quiet` of a core for a second."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = CPU.snapshot()
        time.sleep(1.0)
        used = CpuSampler.delta(before, CPU.snapshot(), 1.0)
        if used.get("server", 0.0) + used.get("worker", 0.0) < quiet:
            return
    print(f"note: the server still used {used.get('server', 0.0) + used.get('worker', 0.0):.2f} cores after "
          f"{timeout_s:.0f} s", flush=True)


async def make_rooms(url: str, scenario: Scenario) -> list[Seat]:
    """New rooms, every participant a session of its own that agreed to the terms, joined."""
    sessions = [[str(uuid.uuid4()) for _ in range(scenario.clients)] for _ in range(scenario.rooms)]
    await agree_to_terms([url], [s for room in sessions for s in room])
    seats = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for room, people in enumerate(sessions):
            created = await http.post("/api/together", headers={"X-Session-Id": people[0]})
            created.raise_for_status()
            room_id = created.json()["roomId"]
            for person in people:
                joined = await http.post(f"/api/together/{room_id}/join", headers={"X-Session-Id": person})
                joined.raise_for_status()
                seats.append(Seat(room, room_id, joined.json()))
    return seats


# --- One measured run.

def receive(conn, process, what: str):  # type: ignore[no-untyped-def]
    while not conn.poll(1.0):
        if not process.is_alive():
            raise RuntimeError(f"a client process exited ({process.exitcode}) before {what}")
    message = conn.recv()
    if isinstance(message, str) and message != "ready":
        raise RuntimeError(f"a client process failed: {message}")
    return message


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def measure(stack: str, url: str, server_pids: list[int], scenario: Scenario, args: argparse.Namespace) -> Result:
    seats = asyncio.run(make_rooms(url, scenario))
    per_room = {room: scenario.clients for room in range(scenario.rooms)}
    procs = min(args.procs, len(seats))
    context = multiprocessing.get_context("spawn")
    workers = []
    for p in range(procs):
        parent, child = context.Pipe()
        process = context.Process(target=run_clients, args=(url, seats[p::procs], args.rate, per_room, child),
                                  daemon=True)
        process.start()
        child.close()
        CPU.track(process.pid, "clients")
        workers.append((parent, process))
    try:
        for conn, process in workers:
            receive(conn, process, "its sockets were ready")
        start = time.time() + START_AFTER_S
        schedule = Schedule(start, start + args.warmup, start + args.warmup + args.seconds)
        for conn, _ in workers:
            conn.send(schedule)
        groups = {"server": server_pids, "clients": [process.pid for _, process in workers]}
        sleep_until(schedule.measure_from)
        before, queued = CPU.snapshot(), {group: run_queue_s(pids) for group, pids in groups.items()}
        sleep_until(schedule.stop)
        cpu = CpuSampler.delta(before, CPU.snapshot(), args.seconds)
        waited = {group: (run_queue_s(pids) - queued[group]) / args.seconds for group, pids in groups.items()}
        outcomes: list[Outcome] = [receive(conn, process, "its results") for conn, process in workers]
    finally:
        for conn, process in workers:
            process.join(timeout=20)
            if process.is_alive():
                process.terminate()
            CPU.untrack(process.pid)
            conn.close()
    result = Result(stack, scenario, args.rate, args.seconds, cpu=cpu, waited=waited)
    for outcome in outcomes:
        result.latencies.frombytes(outcome.latencies)
        result.lags.frombytes(outcome.lag_ms)
        result.sent += sum(outcome.sent.values())
        result.received += sum(outcome.received.values())
        result.closed += outcome.closed
        result.late_draws += outcome.late_draws
        for room, points in outcome.sent.items():
            result.expected += points * (per_room[room] - 1)
    return result


# --- The report.

def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}\n| {' | '.join(header)} |\n|---|{'---:|' * (len(header) - 1)}")
    for row in rows:
        print(f"| {' | '.join(row)} |")


def report(results: list[Result]) -> bool:
    table("Latency from a point drawn to its arrival at each other participant, in ms:",
          ["stack", "run", "rooms × people", "points drawn", "deliveries / expected", "p50", "p95", "p99", "max",
           "client loop lag p95 / max"],
          [[r.stack, r.scenario.name, f"{r.scenario.rooms} × {r.scenario.clients}", f"{r.sent:,}",
            f"{r.received:,} / {r.expected:,}", f"{r.pct(0.5):.1f}", f"{r.pct(0.95):.1f}", f"{r.pct(0.99):.1f}",
            f"{r.pct(1.0):.1f}", f"{r.pct(0.95, r.lags):.1f} / {r.pct(1.0, r.lags):.1f}"] for r in results])
    print(f"(points drawn at {results[0].rate:g}/s per participant for {results[0].seconds:g} s measured; a "
          "delivery is one (point, other participant) pair; loop lag: how late a 10 ms sleep woke in the client "
          "processes)")

    def share(value: float) -> str:
        return f"{100 * value:.0f}"

    table(f"CPU over the measured window, in % of one core ({os.cpu_count()} cores):",
          ["stack", "run", "server CPU", "server CPU ms / 1k deliveries", "server waiting for a core", "worker child",
           "clients CPU", "clients waiting for a core", "others", "machine busy", "steal"],
          [[r.stack, r.scenario.name, share(r.cpu.get("server", 0.0)), f"{r.server_ms_per_1k:.1f}",
            share(r.waited.get("server", 0.0)), share(r.cpu.get("worker", 0.0)), share(r.cpu.get("clients", 0.0)),
            share(r.waited.get("clients", 0.0)), share(r.others), share(r.cpu.get("_busy", 0.0)),
            share(r.cpu.get("_steal", 0.0))] for r in results])
    print("(server: the `serve` process, which holds the rooms; waiting for a core: time its threads were runnable "
          "but not running, from /proc/<pid>/task/*/schedstat; busy: the machine's non-idle time; others: busy less "
          "this run's processes, PostgreSQL's backends for its database and moto included)")
    met = True
    for stack in dict.fromkeys(r.stack for r in results):
        rows = {r.scenario.name: r for r in results if r.stack == stack}
        loaded, base = rows.get("loaded"), rows.get("baseline")
        if loaded is None:
            continue
        ok = loaded.pct(0.95) <= AIM_P95_MS and loaded.received == loaded.expected and not loaded.closed
        met &= ok
        ratio = f"; loaded / baseline: p50 {loaded.pct(0.5) / base.pct(0.5):.2f}x, p95 " \
                f"{loaded.pct(0.95) / base.pct(0.95):.2f}x" if base else ""
        print(f"{stack}: loaded p95 {loaded.pct(0.95):.1f} ms ({'<=' if loaded.pct(0.95) <= AIM_P95_MS else '>'} "
              f"{AIM_P95_MS:.0f} ms){ratio}; {loaded.expected - loaded.received} deliveries missing")
    for r in results:
        if r.closed:
            print(f"WARNING: {r.stack} {r.scenario.name}: the server closed {len(r.closed)} sockets, codes "
                  f"{sorted(set(r.closed))}")
        if r.late_draws:
            print(f"note: {r.stack} {r.scenario.name}: {r.late_draws} points were drawn more than one interval late "
                  "(the client loop was behind)")
        if r.others > 0.25:
            print(f"WARNING: {r.stack} {r.scenario.name}: other processes used {r.others:.2f} cores during the run: "
                  "the latencies are inflated; rerun on a quiet machine")
    print(f"\naim p95 <= {AIM_P95_MS:.0f} ms with every point delivered: {'met' if met else 'MISSED'}")
    return met


def parse_scenario(text: str) -> tuple[int, int]:
    rooms, _, clients = text.partition("x")
    return int(rooms), int(clients)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4, help="people per room (the room takes 8)")
    parser.add_argument("--rate", type=float, default=60, help="points a second per person")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds of drawing")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds of drawing first")
    parser.add_argument("--baseline", default="1x2", help="ROOMSxPEOPLE run first, for the ratio ('' for none)")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--stacks", default="embedded", help="embedded and/or distributed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (server logs)")
    args = parser.parse_args()
    stacks = [name.strip() for name in args.stacks.split(",") if name.strip()]
    if unknown := [name for name in stacks if name not in ("embedded", "distributed")]:
        parser.error(f"unknown stacks: {', '.join(unknown)}")
    scenarios = ([Scenario("baseline", *parse_scenario(args.baseline))] if args.baseline else []) + [
        Scenario("loaded", args.rooms, args.clients)]
    if any(s.rooms < 1 or s.clients < 2 for s in scenarios):
        parser.error("a run needs at least one room of at least two people")
    env: dict[str, str] = {}
    # A room's document grows by one update a point; past the 1 MiB limit its sockets are closed.
    doc_bytes = UPDATE_BYTES * args.clients * args.rate * (args.warmup + args.seconds + 2)
    if doc_bytes > 0.8 * 1024 * 1024:
        env["CROWDSKETCH_TOGETHER_MAX_DOC_BYTES"] = str(int(2 * doc_bytes))
        print(f"note: a room's document will reach ~{doc_bytes / 1024:.0f} KB; the limit is raised to "
              f"{2 * doc_bytes / 1024:.0f} KB for this run", flush=True)
    session.start(f"drawing together: {', '.join(f'{s.rooms} × {s.clients}' for s in scenarios)} people at "
                  f"{args.rate:g} points/s for {args.warmup:g} + {args.seconds:g} s; {args.procs} client processes; "
                  f"stacks {', '.join(stacks)}")
    results: list[Result] = []
    try:
        with session.scratch("crowdsketch-together-", args.keep) as workdir:
            for name in stacks:
                with ExitStack() as stack:
                    url, pids = start_server(stack, name, workdir, env)
                    print(f"{name}: serving at {url}", flush=True)
                    for scenario in scenarios:
                        result = measure(name, url, pids, scenario, args)
                        print(f"  {scenario.name} ({scenario.rooms} × {scenario.clients}): p95 "
                              f"{result.pct(0.95):.1f} ms, {result.received:,} / {result.expected:,} deliveries",
                              flush=True)
                        results.append(result)
    except session.Interrupted:
        return 130
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
