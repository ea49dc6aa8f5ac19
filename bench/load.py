"""Load: a bounded number of drawings sent at a fixed concurrency, timed, with the CPU used.

A drawing is sent over HTTP to served stacks (httpx, or `RawHttpClient`), inline (`served`:
`POST /api/drawings` with its strokes) or by direct upload (`direct`: `POST
/api/drawings/uploads`, a PUT of the strokes to the URL it returns, on the app itself or on
the S3 server, then `POST /api/drawings {shapeId, uploadId}`: one drawing, timed end to end);
or straight into the service in this process (the floor). Before each run, untimed,
every session it can use agrees to the terms (over HTTP, `agree_to_terms`; in-process for
the floor), so that its drawings pass the consent check as a contributor's do.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import orjson

from bench.cpu import CPU, CpuSampler
from bench.drawings import Corpus

DRAWINGS_PER_SESSION = 25
KEEPALIVE_S = 2.0  # client side, under uvicorn's 5 s keep-alive timeout

# One drawing sent: (request number, session id, idempotency key, corpus index) -> (status, detail)
Op = Callable[[int, str, str, int], Awaitable[tuple[int, str]]]


@dataclass
class Result:
    stack: str
    mode: str
    conc: int
    n: int
    wall_s: float
    latencies: list[float]
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # cores used, by process group

    @property
    def rate(self) -> float:
        return self.n / self.wall_s

    @property
    def ok(self) -> int:
        return self.n - sum(self.errors.values())

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000


class Sequencer:
    """Hands out request numbers, session ids and unique idempotency keys. Each concurrent
    slot is a contributor, who hands over to a new session every DRAWINGS_PER_SESSION
    drawings; sessions are numbered in the order they start, so the ids the next runs can
    use are known before they start (`upcoming`)."""

    def __init__(self, prefix: str, corpus: Corpus) -> None:
        self.tag = f"{prefix}{uuid.uuid4().hex[:8]}"
        self.corpus = corpus
        self.seq = 0
        self.started = 0  # sessions handed out so far
        self.current: dict[int, str] = {}  # slot: its session

    def session(self, number: int) -> str:
        return f"{self.tag}-{number}"

    def next(self, slot: int, slot_count: int) -> tuple[int, str, str, int]:
        """The next request, for the `slot_count`-th drawing (from 0) of `slot` in this run."""
        i = self.seq
        self.seq += 1
        index = i % len(self.corpus.bodies)
        if slot_count % DRAWINGS_PER_SESSION == 0:
            self.current[slot] = self.session(self.started)
            self.started += 1
        session = self.current[slot]
        key = f"{session}:{self.corpus.shapes[index]}:{i}"
        return i, session, key, index

    def upcoming(self, *runs: tuple[int, int]) -> list[str]:
        """Every session id that the next runs, each (drawings, concurrency), can use. A slot
        starts a session at its 1st, 26th, ... drawing of a run, so a run of n drawings over c
        slots starts at most n // DRAWINGS_PER_SESSION + min(c, n) of them, however the
        drawings fall to the slots."""
        count = sum(n // DRAWINGS_PER_SESSION + min(c, n) for n, c in runs)
        return [self.session(self.started + k) for k in range(count)]


async def agree_to_terms(urls: list[str], sessions: list[str], concurrency: int = 8) -> None:
    """`GET /api/terms` once, then `POST /api/consent` to its version for each session,
    round-robin over `urls` (where the run posts its drawings); anything but 200 stops the
    benchmark. Untimed: done before a run's warm-up."""
    if not sessions:
        return
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as http:
        terms = await http.get(f"{urls[0]}/api/terms")
        terms.raise_for_status()
        body = orjson.dumps({"termsVersion": terms.json()["version"]})
        queue = iter(enumerate(sessions))

        async def worker() -> None:
            for i, session in queue:
                answer = await http.post(f"{urls[i % len(urls)]}/api/consent", content=body, headers={
                    "content-type": "application/json", "x-session-id": session})
                if answer.status_code != 200:
                    raise RuntimeError(f"POST /api/consent for {session}: {answer.status_code} {answer.text[:300]}")

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(sessions)))))


async def run_load(op: Op, seqr: Sequencer, total: int, concurrency: int) -> tuple[float, list[float], Counter, list[str]]:
    latencies: list[float] = []
    errors: Counter = Counter()
    samples: list[str] = []
    remaining = total

    async def worker(slot: int) -> None:
        nonlocal remaining
        done = 0
        while remaining > 0:
            remaining -= 1
            i, session, key, index = seqr.next(slot, done)
            started = time.perf_counter()
            try:
                status, detail = await op(i, session, key, index)
            except Exception as exc:  # noqa: BLE001 - an error is counted, not fatal
                status, detail = -1, f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - started)
            done += 1
            if status != 201:
                errors[status] += 1
                if len(samples) < 5:
                    samples.append(f"{status} {detail[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    return time.perf_counter() - started, latencies, errors, samples


async def measure(stack: str, mode: str, op: Op, seqr: Sequencer, concurrency: int, total: int, warmup: int) -> Result:
    """`warmup` drawings untimed, then `total` timed, with the CPU each process group used."""
    await run_load(op, seqr, warmup, concurrency)
    before = CPU.snapshot()
    wall, latencies, errors, samples = await run_load(op, seqr, total, concurrency)
    cpu = CpuSampler.delta(before, CPU.snapshot(), wall)
    result = Result(stack, mode, concurrency, total, wall, latencies, errors, samples, cpu)
    print(f"  {stack:<12} {mode:<7} c={concurrency:<3} {result.rate:8.1f} drawings/s  "
          f"p50 {result.pct(0.5):7.2f} ms  p99 {result.pct(0.99):7.2f} ms  errors {sum(errors.values())}", flush=True)
    return result


class RawHttpClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (`--client raw`): a fraction
    of httpx's CPU per request, for when the load generator's own cost matters (it shares
    the cores with the server). Enough for JSON answers with a Content-Length."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]]] = {}
        self._all: list[asyncio.StreamWriter] = []

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.request("POST", url, body, headers)

    async def request(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """One request on an idle connection to the URL's host:port (a pool each: the app's
        ports, and the S3 server's for a direct upload's PUT), or on a new one."""
        address, _, path = url.removeprefix("http://").partition("/")
        host, port = address.split(":")
        pool = self._idle.setdefault((host, int(port)), [])
        while pool and time.monotonic() - pool[0][2] > KEEPALIVE_S:  # oldest first: see KEEPALIVE_S
            pool.pop(0)[1].close()
        if pool:
            reader, writer, _ = pool.pop()
        else:
            reader, writer = await asyncio.open_connection(host, int(port))
            self._all.append(writer)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"{method} /{path} HTTP/1.1\r\nhost: {address}\r\ncontent-length: {len(body)}\r\n{head}\r\n".encode() + body)
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" not in fields:
            writer.close()
            raise RuntimeError(f"answer without Content-Length: {lines[0]}")
        content = await reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            writer.close()
        else:
            pool.append((reader, writer, time.monotonic()))
        return status, content

    async def aclose(self) -> None:
        for writer in self._all:
            writer.close()


# One HTTP request: (method, url, body, headers) -> (status, body)
Send = Callable[[str, str, bytes, dict[str, str]], Awaitable[tuple[int, bytes]]]


def http_op(client: str, urls: list[str], corpus: Corpus, concurrency: int,
            direct: bool = False) -> tuple[Op, Callable[[], Awaitable[None]]]:
    """A drawing per call, round-robin over `urls`: `POST /api/drawings` inline, or with
    `direct` the three requests of a direct upload; and the client's close."""
    send: Send
    if client == "raw":
        raw = RawHttpClient()
        send, close = raw.request, raw.aclose
    else:
        # Each slot may hold a connection to every server and one to the S3 server. Idle
        # connections are dropped after 2 s, before uvicorn's 5 s keep-alive timeout closes
        # them: a request sent on a connection the server is closing fails.
        connections = concurrency * (len(urls) + 1) + 4
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=KEEPALIVE_S)
        http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0))

        async def send(method: str, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
            response = await http.request(method, url, content=body, headers=headers)
            return response.status_code, response.content

        close = http.aclose
    return (direct_op if direct else inline_op)(send, urls, corpus), close


def _headers(session: str, key: str) -> dict[str, str]:
    return {"content-type": "application/json", "x-session-id": session, "x-idempotency-key": key}


def inline_op(send: Send, urls: list[str], corpus: Corpus) -> Op:
    endpoints = [f"{url}/api/drawings" for url in urls]

    async def op(i: int, session: str, key: str, index: int) -> tuple[int, str]:
        status, content = await send("POST", endpoints[i % len(endpoints)], corpus.bodies[index], _headers(session, key))
        return status, content.decode(errors="replace") if status != 201 else ""

    return op


def direct_op(send: Send, urls: list[str], corpus: Corpus) -> Op:
    """The three requests of a direct upload, as the game makes them, under one key; a
    failed step ends the drawing with its status (its name in the detail)."""
    blobs = [orjson.dumps(orjson.loads(body)["strokeData"]) for body in corpus.bodies]  # the PUT bodies
    asks = [orjson.dumps({"shapeId": shape, "size": len(blob), "sha256": hashlib.sha256(blob).hexdigest()})
            for shape, blob in zip(corpus.shapes, blobs)]

    async def op(i: int, session: str, key: str, index: int) -> tuple[int, str]:
        url, headers = urls[i % len(urls)], _headers(session, key)
        status, content = await send("POST", f"{url}/api/drawings/uploads", asks[index], headers)
        if status != 201:
            return status, f"POST /api/drawings/uploads: {content.decode(errors='replace')}"
        ticket = orjson.loads(content)
        status, content = await send(ticket["method"], ticket["uploadUrl"], blobs[index], ticket["headers"])
        if not 200 <= status < 300:
            return status, f"PUT {ticket['uploadUrl'][:80]}: {content.decode(errors='replace')}"
        finalize = orjson.dumps({"shapeId": corpus.shapes[index], "uploadId": ticket["uploadId"]})
        status, content = await send("POST", f"{url}/api/drawings", finalize, headers)
        return status, f"finalize: {content.decode(errors='replace')}" if status != 201 else ""

    return op


async def served_runs(stack: str, urls: list[str], corpus: Corpus, client: str, plan: dict[int, int], warmup: int,
                      mode: str = "served") -> list[Result]:
    """One measured run per (concurrency, requests) of `plan`, over HTTP, a fresh client each;
    every session of the run (warm-up included) agrees to the terms first, untimed. `mode`:
    "served" (inline) or "direct" (by direct upload)."""
    results = []
    for concurrency, total in plan.items():
        seqr = Sequencer("b" if mode == "served" else "d", corpus)
        await agree_to_terms(urls, seqr.upcoming((warmup, concurrency), (total, concurrency)))
        op, close = http_op(client, urls, corpus, concurrency, direct=mode == "direct")
        try:
            results.append(await measure(stack, mode, op, seqr, concurrency, total, warmup))
        finally:
            await close()
    return results


async def floor_runs(stack: str, settings, corpus: Corpus, plan: dict[int, int], warmup: int) -> list[Result]:  # type: ignore[no-untyped-def]
    """The same writes with no HTTP: `Resources.build(settings).collection.submit(...)`. The
    service's write checks consent (the one statement), so every session of a run agrees to
    the terms first, in-process and untimed, as the served runs' do over HTTP."""
    from crowdsketch.collection.service import Submission
    from crowdsketch.datasets.consent import record_consent
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        service = resources.collection
        await service.catalog.active_shapes()

        async def op(i: int, session: str, key: str, index: int) -> tuple[int, str]:
            answer = await service.submit(Submission(session_id=session, shape_id=corpus.shapes[index],
                                                     stroke_data=corpus.stroke_data[index], idempotency_key=key))
            return answer.status, "" if answer.status == 201 else str(answer.body)

        results = []
        for concurrency, total in plan.items():
            seqr = Sequencer("f", corpus)
            for session in seqr.upcoming((warmup, concurrency), (total, concurrency)):
                await record_consent(resources, session, settings.terms_version)
            results.append(await measure(stack, "floor", op, seqr, concurrency, total, warmup))
        return results
    finally:
        await resources.close()


async def blob_put_runs(stack: str, settings, corpus: Corpus, plan: dict[int, int], warmup: int) -> list[Result]:  # type: ignore[no-untyped-def]
    """The blob store alone: one put of the drawing's strokes, through the same port and
    guard the service uses. No submission can be faster than its blob put."""
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        blobs, guard = resources.blobs, resources.blob_guard

        async def op(i: int, session: str, key: str, index: int) -> tuple[int, str]:
            data = corpus.stroke_data[index].canonical_json()
            await guard.call(lambda: blobs.put(f"bench-blob-only/{session}/{i}.json", data))
            return 201, ""

        return [await measure(stack, "blob put", op, Sequencer("p", corpus), concurrency, total, warmup)
                for concurrency, total in plan.items()]
    finally:
        await resources.close()
