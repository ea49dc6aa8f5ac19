"""The admin event stream (issue 15) on both stacks: the latency from an event's source to 50
connected admin clients, and what 1,000 idle sockets cost the server process holding them.

Per stack, the first admin logs in and `--clients` WebSockets (`GET /api/admin/events`, the
session cookie, no Origin) are held open here. A second process publishes as every producer
does, `EventBus.publish` (events/bus.py): `--rate` events a second for `--seconds` (after 10
unmeasured), each a `bench.probe` with `at` = now and a `drawings.stats`-sized payload; and a
drawing is posted every 250 ms, so the collection publishes its real `drawings.stats` (at most
once a second). Latency = when a client got a message - its `at` (one machine, one clock):
p50, p95 and max over every (event, client) against the aim p95 <= 250 ms; per event, the
first client's latency (the relay) and the spread from first to last client (the fan-out).
Then `--idle` sockets are opened to one server process and left idle: its VmRSS before, with
them, per socket, and after they close.

* embedded: `crowdsketch serve --no-bootstrap` (its worker child idle) on a fresh data dir; the
  publisher's events reach it as datagrams on `data_dir/events.sock`, as the worker's do.
* distributed: deploy/run.py on free ports: nginx before one collection, admin and inference
  process, no workers; PostgreSQL (a fresh database, dropped after) and moto S3 as
  bench/stacks.py starts them; RabbitMQ (an unused queue); and a Redis server of this run's
  own, since pub/sub channels span every database of a server (the shared one would carry
  this run's events to others' test clients, and theirs here). Clients connect through
  nginx; the idle sockets go straight to the admin process (nginx allows 1,024 connections
  per worker, and a proxied socket takes two).

    python bench/events.py [--clients 50] [--idle 1000] [--stacks embedded,distributed] [--rate 50]
                           [--seconds 10] [--keep]      # exits 1 if a stack misses the aim or loses events
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import re
import resource
import secrets
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import orjson
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/events.py`: import bench.* and crowdsketch from this tree

from bench import session  # noqa: E402
from bench.drawings import SHAPES, Corpus  # noqa: E402
from bench.load import agree_to_terms  # noqa: E402
from bench.stacks import (  # noqa: E402
    Distributed, Embedded, clean_env, crowdsketch_cmd, free_port, pg_execute, start_moto, start_process, wait_http,
)

ADMIN_EMAIL = "admin@localhost"  # the first admin, as crowdsketch/admin/bootstrap.py names it
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"  # deploy/topology.py's default; needed, never used
AIM_P95_MS = 250.0
PROBE = "bench.probe"
WARMUP_EVENTS = 10
DRAWING_EVERY_S = 0.25


@dataclass
class Target:
    stack: str
    url: str  # HTTP: the login and the drawings (nginx on the distributed stack)
    events_url: str  # where the measured clients connect
    idle_url: str  # one server process's own address, for the idle sockets
    server_pid: int  # that process
    data_dir: Path
    redis_url: str | None


@dataclass
class Latency:
    stack: str
    clients: int
    events: int
    probe_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)  # per event: the first client's latency
    spread_ms: list[float] = field(default_factory=list)  # per event: last client's minus first's
    stats_ms: list[float] = field(default_factory=list)
    stats_events: int = 0


@dataclass
class Memory:
    stack: str
    sockets: int
    before_kb: int
    with_kb: int
    after_kb: int
    open_s: float

    @property
    def per_socket_kb(self) -> float:
        return (self.with_kb - self.before_kb) / self.sockets


# --- The stacks.

def start_embedded(stack: ExitStack, workdir: Path, password: str) -> Target:
    log = workdir / "embedded.log"
    embedded = Embedded.prepare(workdir / "embedded-data", log)
    env = embedded.env()
    subprocess.run([*crowdsketch_cmd(), "create-admin", ADMIN_EMAIL, "--name", "Bench admin", "--password-stdin"],
                   input=f"{password}\n".encode(), env=env, cwd=str(ROOT), check=True, capture_output=True, timeout=120)
    port = free_port()
    proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                         [*crowdsketch_cmd(), "serve", "--no-bootstrap", "--no-migrate", "--host", "127.0.0.1",
                          "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", proc, log)
    events = f"ws://127.0.0.1:{port}/api/admin/events"
    return Target("embedded", url, events, events, proc.pid, embedded.data_dir, None)


def start_redis(stack: ExitStack, workdir: Path) -> str:
    import redis

    port = free_port()
    start_process(stack, f"redis-server :{port}", "redis",
                  ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                  clean_env(), workdir / "redis.log")
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(300):
        with contextlib.suppress(redis.exceptions.ConnectionError):
            redis.Redis.from_url(url).ping()
            return url
        time.sleep(0.1)
    raise RuntimeError(f"redis-server :{port} did not answer; see {workdir / 'redis.log'}")


def start_distributed(stack: ExitStack, workdir: Path, password: str) -> Target:
    endpoint = start_moto(stack, workdir / "moto.log")
    redis_url = start_redis(stack, workdir)
    db_name = f"crowdsketch_bench_{uuid.uuid4().hex[:10]}"
    pg_execute(f'CREATE DATABASE "{db_name}"')
    stack.callback(pg_execute, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    backends = Distributed(workdir / "distributed-data", db_name, endpoint)
    proxy, collection, admin, inference = (free_port() for _ in range(4))
    run_dir = workdir / "topology"
    env = backends.env(
        CROWDSKETCH_ADMIN_PASSWORD=password, CROWDSKETCH_AMQP_URL=AMQP_URL,
        CROWDSKETCH_AMQP_TRAINING_QUEUE=f"crowdsketch.training.bench-{uuid.uuid4().hex[:8]}",
        CROWDSKETCH_DEPLOY_PORT=str(proxy), CROWDSKETCH_DEPLOY_COLLECTION_PORTS=str(collection),
        CROWDSKETCH_DEPLOY_ADMIN_PORTS=str(admin), CROWDSKETCH_DEPLOY_INFERENCE_PORTS=str(inference),
        CROWDSKETCH_DEPLOY_WORKERS="0", CROWDSKETCH_DEPLOY_BOOTSTRAP="0", CROWDSKETCH_DEPLOY_RUN_DIR=str(run_dir))
    env["CROWDSKETCH_REDIS_URL"] = redis_url  # this run's own Redis (see the docstring)
    log = workdir / "topology.log"
    proc = start_process(stack, "deploy/run.py", "deploy", [sys.executable, str(ROOT / "deploy" / "run.py")], env, log)
    url = f"http://127.0.0.1:{proxy}"
    wait_http(f"{url}/healthz", proc, log, 180)
    pids = json.loads((run_dir / "processes.json").read_text())
    admin_pid = next(int(pid) for name, pid in pids.items() if name.startswith("admin."))
    command = Path(f"/proc/{admin_pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if "serve" not in command:
        raise RuntimeError(f"the admin service's pid {admin_pid} is not the serving process: {command}")
    return Target("distributed", url, f"ws://127.0.0.1:{proxy}/api/admin/events",
                  f"ws://127.0.0.1:{admin}/api/admin/events", admin_pid, backends.data_dir, redis_url)


def log_in(url: str, password: str) -> str:
    answer = httpx.post(f"{url}/api/admin/login", json={"email": ADMIN_EMAIL, "password": password}, timeout=30)
    return answer.raise_for_status().cookies["sid"]


def rss_kb(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())[1])  # type: ignore[index]


# --- The publisher: a process of its own, as the worker child or another service is.

def publish_events(data_dir: str, redis_url: str | None, rate: float, count: int) -> None:
    asyncio.run(_publish(Path(data_dir), redis_url, rate, count))


async def _publish(data_dir: Path, redis_url: str | None, rate: float, count: int) -> None:
    from crowdsketch.events.bus import EventBus
    from crowdsketch.ports.kv import key_value_store_from_url
    from crowdsketch.settings import Settings

    settings = Settings(data_dir=data_dir, database_url="", blob_url="", redis_url=redis_url)
    kv = key_value_store_from_url(redis_url, 1.0)
    bus = EventBus(settings, kv)
    # About the size of a `drawings.stats` for a busy second.
    payload = {"drawings": len(SHAPES), "perShape": {shape: 1 for shape in SHAPES},
               "perMinute": [{"minute": "2026-12-06T12:00:00+00:00", "count": len(SHAPES)}]}
    started = time.monotonic()
    for n in range(WARMUP_EVENTS + count):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await bus.publish(PROBE, {"seq": n - WARMUP_EVENTS, **payload})
    bus.close()
    await kv.close()


# --- The clients.

async def open_sockets(url: str, sid: str, count: int, concurrency: int = 50) -> list:
    """`count` event streams, each past its `hello`."""
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(concurrency)

    async def one():  # type: ignore[no-untyped-def]
        async with gate:
            socket = await connect(url, additional_headers={"Cookie": f"sid={sid}"}, open_timeout=60,
                                   ping_interval=None, close_timeout=5)
            first = orjson.loads(await asyncio.wait_for(socket.recv(), 30))
            if first["type"] != "hello":
                raise RuntimeError(f"{url}: the first message was {first}")
            return socket

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def listen(socket, arrivals: list[tuple[float, str]]) -> None:  # type: ignore[no-untyped-def]
    """The arrival time of each message; parsed once the run is over."""
    async for message in socket:
        arrivals.append((time.time(), message))


async def post_drawings(url: str, sessions: list[str], corpus: Corpus) -> None:
    """A drawing every DRAWING_EVERY_S, each a contributor's, so the collection publishes `drawings.stats`."""
    async with httpx.AsyncClient(timeout=30) as http:
        for i, session_id in enumerate(sessions):
            await asyncio.sleep(DRAWING_EVERY_S if i else 0.0)
            answer = await http.post(f"{url}/api/drawings", content=corpus.bodies[i % len(corpus.bodies)], headers={
                "content-type": "application/json", "x-session-id": session_id, "x-idempotency-key": f"{session_id}:{i}"})
            if answer.status_code != 201:
                raise RuntimeError(f"POST /api/drawings: {answer.status_code} {answer.text[:300]}")


async def measure_latency(target: Target, sid: str, clients: int, rate: float, seconds: float) -> Latency:
    count = round(rate * seconds)
    sessions = [f"events-{uuid.uuid4().hex}" for _ in range(math.ceil(seconds / DRAWING_EVERY_S))]
    await agree_to_terms([target.url], sessions)
    sockets = await open_sockets(target.events_url, sid, clients)
    arrivals: list[list[tuple[float, str]]] = [[] for _ in sockets]
    listeners = [asyncio.create_task(listen(socket, got)) for socket, got in zip(sockets, arrivals, strict=True)]
    publisher = multiprocessing.get_context("spawn").Process(
        target=publish_events, args=(str(target.data_dir), target.redis_url, rate, count), daemon=True)
    publisher.start()
    poster = asyncio.create_task(post_drawings(target.url, sessions, Corpus.build(48)))
    try:
        await asyncio.to_thread(publisher.join)
        if publisher.exitcode != 0:
            raise RuntimeError(f"the publisher exited {publisher.exitcode}")
        last, deadline = f'"seq":{count - 1},', time.monotonic() + 10  # the last probe (any lost are reported)
        while sum(last in raw for got in arrivals for _, raw in got[-5:]) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.wait_for(poster, timeout=seconds + 30)
        await asyncio.sleep(1.5)  # the last `drawings.stats`
    finally:
        poster.cancel()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, poster, return_exceptions=True)
        await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    return summarise(target.stack, clients, count, arrivals)


def summarise(stack: str, clients: int, count: int, arrivals: list[list[tuple[float, str]]]) -> Latency:
    result = Latency(stack, clients, count)
    per_event: dict[int, list[float]] = {}
    stats_ids = set()
    for got in arrivals:
        for arrived, raw in got:
            message = orjson.loads(raw)
            ms = (arrived - datetime.fromisoformat(message["at"]).timestamp()) * 1000
            if message["type"] == PROBE and message["data"]["seq"] >= 0:
                result.probe_ms.append(ms)
                per_event.setdefault(message["data"]["seq"], []).append(ms)
            elif message["type"] == "drawings.stats":
                result.stats_ms.append(ms)
                stats_ids.add(message["id"])
    result.first_ms = [min(times) for times in per_event.values()]
    result.spread_ms = [max(times) - min(times) for times in per_event.values()]
    result.stats_events = len(stats_ids)
    return result


async def idle_memory(target: Target, sid: str, count: int) -> Memory:
    before = rss_kb(target.server_pid)
    started = time.monotonic()
    sockets = await open_sockets(target.idle_url, sid, count)
    opened = time.monotonic() - started
    await asyncio.sleep(3.0)  # settle
    held = rss_kb(target.server_pid)
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    await asyncio.sleep(3.0)  # settle
    return Memory(target.stack, count, before, held, rss_kb(target.server_pid), opened)


# --- The report.

def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (1: the max); NaN for no values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else math.nan


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}\n| {' | '.join(header)} |\n|---|{'---:|' * (len(header) - 1)}")
    for row in rows:
        print(f"| {' | '.join(row)} |")


def report(latencies: list[Latency], memories: list[Memory]) -> bool:
    def ms(values: list[float], p: float) -> str:
        return f"{pct(values, p):.1f}"

    ok = {r.stack: pct(r.probe_ms, 0.95) <= AIM_P95_MS and len(r.probe_ms) == r.events * r.clients for r in latencies}
    table("Latency from an event's `at` to its arrival at each client:",
          ["stack", "clients", "events", "received / expected", "p50 ms", "p95 ms", "max ms", "p95 <= 250 ms"],
          [[r.stack, str(r.clients), str(r.events), f"{len(r.probe_ms):,} / {r.events * r.clients:,}",
            ms(r.probe_ms, 0.5), ms(r.probe_ms, 0.95), ms(r.probe_ms, 1), "yes" if ok[r.stack] else "NO"] for r in latencies])
    table("Per probe event: the first client to get it (the relay), and the spread from the first to the last (the "
          "fan-out); the collection's real `drawings.stats`:",
          ["stack", "first p50 ms", "first p95 ms", "spread p50 ms", "spread p95 ms", "drawings.stats events",
           "their p50 ms", "p95 ms", "max ms"],
          [[r.stack, ms(r.first_ms, 0.5), ms(r.first_ms, 0.95), ms(r.spread_ms, 0.5), ms(r.spread_ms, 0.95),
            str(r.stats_events), ms(r.stats_ms, 0.5), ms(r.stats_ms, 0.95), ms(r.stats_ms, 1)] for r in latencies])
    if memories:
        table("Resident memory (VmRSS) of the server process holding the idle sockets:",
              ["stack", "sockets", "opened in s", "RSS before MB", "RSS with them MB", "per socket KB",
               "RSS after they close MB"],
              [[m.stack, f"{m.sockets:,}", f"{m.open_s:.1f}", f"{m.before_kb / 1024:.1f}", f"{m.with_kb / 1024:.1f}",
                f"{m.per_socket_kb:.1f}", f"{m.after_kb / 1024:.1f}"] for m in memories])
    if len(latencies) == 2:
        (e, d), m = latencies, memories
        print(f"\n{d.stack} / {e.stack}: p50 {pct(d.probe_ms, 0.5) / pct(e.probe_ms, 0.5):.2f}x, p95 "
              f"{pct(d.probe_ms, 0.95) / pct(e.probe_ms, 0.95):.2f}x; memory per idle socket "
              f"{m[1].per_socket_kb / m[0].per_socket_kb if len(m) == 2 else math.nan:.2f}x")
    met = all(ok.values())
    print(f"\naim p95 <= {AIM_P95_MS:.0f} ms with every event received: {'met' if met else 'MISSED'}")
    return met


STARTERS = {"embedded": start_embedded, "distributed": start_distributed}


def raise_fd_limit(needed: int) -> None:  # the sockets here, and the server's: a child inherits the limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--idle", type=int, default=1000, help="idle sockets for the memory figure (0: none)")
    parser.add_argument("--stacks", default="embedded,distributed")
    parser.add_argument("--rate", type=float, default=50, help="probe events a second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    args = parser.parse_args()
    stacks = [name.strip() for name in args.stacks.split(",") if name.strip()]
    if unknown := [name for name in stacks if name not in STARTERS]:
        parser.error(f"unknown stacks: {', '.join(unknown)}")
    raise_fd_limit(2 * (args.idle + args.clients) + 1024)
    session.start(f"admin event stream: {args.clients} clients, {args.rate:g} events/s for {args.seconds:g} s; "
                  f"{args.idle} idle sockets; stacks {', '.join(stacks)}")
    latencies: list[Latency] = []
    memories: list[Memory] = []
    try:
        with session.scratch("crowdsketch-events-", args.keep) as workdir:
            for name in stacks:
                with ExitStack() as stack:
                    password = secrets.token_urlsafe(12)
                    started = time.monotonic()
                    target = STARTERS[name](stack, workdir, password)
                    sid = log_in(target.url, password)
                    print(f"{name}: up after {time.monotonic() - started:.0f} s; server pid {target.server_pid}", flush=True)
                    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                        latencies.append(runner.run(measure_latency(target, sid, args.clients, args.rate, args.seconds)))
                        if args.idle:
                            memories.append(runner.run(idle_memory(target, sid, args.idle)))
    except session.Interrupted:
        return 130
    return 0 if report(latencies, memories) else 1


if __name__ == "__main__":
    sys.exit(main())
