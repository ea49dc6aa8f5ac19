"""Timing the admin reads, the next prompt and the CLI export over a loaded scale stack
(bench/scale.py; the data from bench/scale_data.py).

`crowdsketch serve --role all --no-bootstrap --no-worker --no-migrate` runs against the loaded
database, its data dir's file blob store and Redis db 13 (flushed before and after), with the
shape catalogue's cache off (CROWDSKETCH_SHAPE_CACHE_TTL_S=0: each next prompt reloads the
counts). The admin `admin@localhost` is made (or given a new password) by the service's
AuthService in this process, without migrating (a read leaves the schema as it is), and logs
in as the dashboard does. Each request: 2 warm-up calls, then 7 timed ones, one at a time,
over one keep-alive connection (httpx), measured in this process from send to last byte.
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from bench import scale_data
from bench.scale_data import pg, session_id
from bench.stacks import ROOT, crowdsketch_cmd, free_port, redis_flush, start_process, wait_http

if TYPE_CHECKING:
    from bench.scale import Target

REDIS_URL = "redis://127.0.0.1:6379/13"
ADMIN_EMAIL = "admin@localhost"
WARMUP, TIMED = 2, 7
DEEP_PAGES, DEEP_LIMIT = 40, 50
LIST = "/api/admin/drawings"


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    total: object = None
    estimate: object = None
    note: str = ""

    def p50(self) -> float:
        return statistics.median(self.seconds) * 1000

    def max(self) -> float:
        return max(self.seconds) * 1000

    def row(self) -> str:
        errors = [s for s in self.statuses if s != 200]
        status = f" ({len(errors)} × {errors[0]})" if errors else ""
        total = "—" if self.total is None else f"{self.total:,}" if isinstance(self.total, int) else str(self.total)
        estimate = "—" if self.estimate is None else "yes" if self.estimate else "no"
        return f"| {self.label}{status} | {self.p50():,.1f} | {self.max():,.1f} | {total} | {estimate} |"


def serve_env(target: Target, timeout_s: float) -> dict[str, str]:
    return target.env(CROWDSKETCH_REDIS_URL=REDIS_URL, CROWDSKETCH_SHAPE_CACHE_TTL_S="0",
                      CROWDSKETCH_DEPENDENCY_TIMEOUT_S=f"{timeout_s:g}", CROWDSKETCH_LOG_LEVEL="WARNING")


def ensure_admin(target: Target, password: str) -> None:
    """The admin made (or given a new password) by the service's own AuthService, in this
    process, without bringing the schema up to date: a read never migrates (the CLI would, and a
    baseline served from older code must keep the indexes that code had)."""
    import asyncio

    from sqlalchemy.exc import IntegrityError

    from crowdsketch.cli_support import with_resources
    from crowdsketch.settings import Settings

    async def make(resources) -> None:  # type: ignore[no-untyped-def]
        try:
            async with resources.db.request_session() as session:
                await resources.auth.create_admin(session, ADMIN_EMAIL, "Scale bench", password)
        except IntegrityError:
            async with resources.db.request_session() as session:
                await resources.auth.set_password(session, ADMIN_EMAIL, password, "bench/scale.py")

    settings = Settings(data_dir=target.data_dir, database_url=target.url, blob_url=target.blob_url, redis_url=REDIS_URL)
    asyncio.run(with_resources(settings, make, migrate=False))


@contextmanager
def served(target: Target, timeout_s: float, workdir, code: Path | None) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """A `crowdsketch serve` of the loaded stack, and an httpx client logged in as its admin;
    the server runs the `crowdsketch` package under `code` when given (PYTHONPATH), this
    checkout's otherwise. The admin is made by this checkout's CLI either way."""
    env = serve_env(target, timeout_s)
    password = secrets.token_urlsafe(16)
    redis_flush(REDIS_URL)
    with ExitStack() as stack:
        stack.callback(redis_flush, REDIS_URL)
        ensure_admin(target, password)
        port = free_port()
        log = workdir / "serve.log"
        proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                             [*crowdsketch_cmd(), "serve", "--role", "all", "--no-bootstrap", "--no-worker", "--no-migrate",
                              "--host", "127.0.0.1", "--port", str(port)],
                             {**env, "PYTHONPATH": str(code)} if code else env, log)
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", proc, log, 120)
        client = stack.enter_context(httpx.Client(base_url=url, timeout=httpx.Timeout(600.0)))
        answer = client.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": password})
        answer.raise_for_status()
        print(f"  serving {url} (pid {proc.pid}, log {log}); admin logged in", flush=True)
        yield client


def timed(client: httpx.Client, label: str, path: str, headers: dict[str, str] | None = None,
          warmup: int = WARMUP, repeats: int = TIMED) -> tuple[Timing, dict]:
    timing = Timing(label)
    body: dict = {}
    for i in range(warmup + repeats):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        seconds = time.perf_counter() - started
        if i >= warmup:
            timing.seconds.append(seconds)
            timing.statuses.append(answer.status_code)
        if answer.status_code == 200:
            body = answer.json()
        elif i >= warmup and not timing.note:
            timing.note = f"{answer.status_code} {answer.text[:200]}"
    if isinstance(body, dict):
        totals = body.get("totals")  # the Overview's
        timing.total = totals.get("drawings") if isinstance(totals, dict) else body.get("total")
        timing.estimate = body.get("totalIsEstimate")
    return timing, body


@dataclass
class Deep:
    label: str
    pages: int
    average_ms: float
    last: Timing | None


def deep_pages(client: httpx.Client, label: str, query: str) -> Deep:
    """Follow nextCursor DEEP_PAGES times (limit DEEP_LIMIT) from the first page; then the
    last of those requests again, timed TIMED times."""
    first = client.get(f"{LIST}?limit={DEEP_LIMIT}{query}")
    cursor = first.json().get("nextCursor") if first.status_code == 200 else None
    seconds: list[float] = []
    path = None
    while cursor and len(seconds) < DEEP_PAGES:
        path = f"{LIST}?limit={DEEP_LIMIT}{query}&cursor={quote(cursor)}"
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        cursor = answer.json().get("nextCursor") if answer.status_code == 200 else None
    if not seconds:
        return Deep(label, 0, float("nan"), None)
    last, _ = timed(client, label, path, warmup=0)  # type: ignore[arg-type]
    return Deep(label, len(seconds), statistics.fmean(seconds) * 1000, last)


def pick_sessions(target: Target) -> tuple[str, str]:
    """The session with the most drawings, and a typical one (the median session's number)."""
    heaviest = "SELECT id FROM contributor_sessions ORDER BY drawing_count DESC LIMIT 1"
    if target.database == "postgres":
        top = pg(target.name, lambda connection: connection.fetchval(heaviest))
    else:
        import sqlite3

        with sqlite3.connect(target.sqlite_file) as connection:
            top = connection.execute(heaviest).fetchone()[0]
    return top, session_id(target.sessions // 2)


def context(target: Target, code: Path | None) -> str:
    """What the numbers ran on: the code served, and the database's size and settings."""
    if code is None:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "crowdsketch"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        served = f"this checkout ({head}{', crowdsketch/ with uncommitted changes' if dirty else ''})"
    else:
        served = str(code)
    if target.database != "postgres":
        return f"code {served}; SQLite file {target.sqlite_file.stat().st_size / 1024 ** 3:.2f} GiB"
    async def read(connection) -> str:  # type: ignore[no-untyped-def]
        size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        names = ("shared_buffers", "work_mem", "effective_cache_size", "autovacuum")
        settings = [f"{name} {await connection.fetchval(f'SHOW {name}')}" for name in names]
        return f"database {size}; " + ", ".join(settings)

    return f"code {served}; {pg(target.name, read)}"


def list_filters(target: Target) -> list[tuple[str, str]]:
    heavy, typical = pick_sessions(target)
    return [("", ""), ("shape=star", "&shape=star"), ("device=pen&source=synthetic", "&device=pen&source=synthetic"),
            ("flagged=true", "&flagged=true"), ("minQuality=0.9&sort=quality", "&minQuality=0.9&sort=quality"),
            ("sessionId=<heaviest session>", f"&sessionId={heavy}"), ("sessionId=<a typical session>", f"&sessionId={typical}")]


def reads(target: Target, timeout_s: float, workdir, code: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    print(f"reads: {target.describe()}; dependency timeout {timeout_s:g} s; load average "
          f"{os.getloadavg()[0]:.2f}; serving the code under {code or ROOT}", flush=True)
    if target.database == "postgres":
        scale_data.fold(target)
    filters = list_filters(target)
    timings: list[Timing] = []
    deep: list[Deep] = []
    with served(target, timeout_s, workdir, code) as client:
        timings.append(timed(client, "GET /api/admin/stats", "/api/admin/stats")[0])
        for label, query in filters:
            timing, body = timed(client, f"GET {LIST}?limit=24{'&' + label if label else ''}", f"{LIST}?limit=24{query}")
            timings.append(timing)
            if not label and body.get("items"):
                detail = body["items"][0]["id"]
                timings.append(timed(client, "GET /api/admin/drawings/{id} (strokes from the blob)", f"{LIST}/{detail}")[0])
        for label, query in filters:
            deep.append(deep_pages(client, label or "(no filter)", query))
            print(f"  deep pages {label or '(no filter)'}: done", flush=True)
        session = {"X-Session-Id": session_id(0)}
        timings.append(timed(client, "GET /api/shapes/next (catalogue cache off)", "/api/shapes/next", session)[0])
    print_tables(target, timeout_s, timings, deep, context(target, code))


def print_tables(target: Target, timeout_s: float, timings: list[Timing], deep: list[Deep], about: str) -> None:
    print()
    print(f"{target.rows:,} drawings on {'PostgreSQL 15' if target.database == 'postgres' else 'SQLite'} "
          f"({os.cpu_count()} cores; {WARMUP} warm-up + {TIMED} timed calls each, one at a time; dependency "
          f"timeout {timeout_s:g} s; {about})")
    print()
    print("| request | p50 ms | max ms | total | estimate? |")
    print("|---|---:|---:|---:|:---:|")
    for timing in timings:
        print(timing.row())
    print()
    print(f"Cursor pages of `GET {LIST}?limit={DEEP_LIMIT}&...`: nextCursor followed {DEEP_PAGES} times from the "
          f"first page; the {DEEP_PAGES}th cursor request ({DEEP_PAGES * DEEP_LIMIT:,} rows deep) then timed {TIMED} times")
    print()
    print("| filter | cursor pages | mean ms of the pages | last page p50 ms | last page max ms |")
    print("|---|---:|---:|---:|---:|")
    for d in deep:
        if d.last is None:
            print(f"| {d.label} | 0 | — | — | — |")
            continue
        errors = [s for s in d.last.statuses if s != 200]
        flag = f" ({len(errors)} × {errors[0]})" if errors else ""
        print(f"| {d.label}{flag} | {d.pages} | {d.average_ms:,.1f} | {d.last.p50():,.1f} | {d.last.max():,.1f} |")
    failed = [t for t in timings + [d.last for d in deep if d.last] if t.note]
    for t in failed:
        print(f"\n{t.label}: {t.note}")
    print(flush=True)


# --------------------------------------------------------------------------------------
# The CLI export.
# --------------------------------------------------------------------------------------

def memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process, in KiB."""
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        return None
    found = [re.search(rf"^{name}:\s+(\d+) kB", status, re.MULTILINE) for name in ("VmRSS", "VmHWM")]
    return (int(found[0][1]), int(found[1][1])) if all(found) else None


def export(target: Target, timeout_s: float, seconds: float) -> None:
    """`crowdsketch export -` (ndjson to stdout, read and counted here), stopped after
    `seconds`; its memory sampled from /proc every 0.5 s."""
    env = serve_env(target, timeout_s)
    print(f"export: {target.describe()}; `crowdsketch export -` for at most {seconds:g} s", flush=True)
    lines, first = [0], [None]

    def count(stream) -> None:  # type: ignore[no-untyped-def]
        while chunk := stream.read(1 << 16):
            if first[0] is None:
                first[0] = time.perf_counter()
            lines[0] += chunk.count(b"\n")

    started = time.perf_counter()
    proc = subprocess.Popen([*crowdsketch_cmd(), "export", "-", "--format", "ndjson"], env=env, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    reader = threading.Thread(target=count, args=(proc.stdout,), daemon=True)
    reader.start()
    samples: list[tuple[float, int, int, int]] = []  # (seconds, lines, RSS KiB, peak RSS KiB)
    stopped = False
    try:
        while proc.poll() is None:
            now = time.perf_counter() - started
            if now >= seconds:
                proc.terminate()
                stopped = True
                break
            memory = memory_kb(proc.pid)
            if memory:
                samples.append((now, lines[0], *memory))
            time.sleep(0.5)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    wall = time.perf_counter() - started
    if not samples:
        raise RuntimeError("the export ended before a sample was taken")
    streaming = wall - (first[0] - started) if first[0] else float("nan")
    print()
    print(f"| {target.rows:,} drawings, {'PostgreSQL' if target.database == 'postgres' else 'SQLite'} | value |")
    print("|---|---:|")
    print(f"| run | {wall:.1f} s, {'stopped at the limit' if stopped else f'ended by itself (exit {proc.returncode})'} |")
    print(f"| drawings written | {lines[0]:,} |")
    print(f"| first line after | {first[0] - started if first[0] else float('nan'):.1f} s |")
    print(f"| drawings/s (from the first line) | {lines[0] / streaming:,.0f} |")
    for share in (0.1, 0.5, 1.0):
        at, written, rss, peak = min(samples, key=lambda s: abs(s[0] - share * samples[-1][0]))
        print(f"| RSS / peak RSS at {share:.0%} of the time ({at:.1f} s, {written:,} lines) | "
              f"{rss / 1024:.1f} / {peak / 1024:.1f} MB |")
    print(flush=True)
