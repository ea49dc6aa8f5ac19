"""Mixed traffic: classify, submissions and admin reads interleaved at a fixed concurrency.

Request i is of the kind `mix[i % len(mix)]`, a fixed shuffle of 50 slots (40 classify, 9
submissions, 1 admin read by default), so every run sends the same sequence. Each concurrent
slot takes the next request number when its last request is answered.

* classify: `POST /api/inference/classify` with one of bench/classify.py's bodies
  (crowdsketch.synthetic drawings, seed 1), over the raw HTTP/1.1 client of bench/load.py;
* submit: `POST /api/drawings` with a distinct bench/drawings.py drawing, `X-Session-Id` and
  `X-Idempotency-Key` from bench/load.py's Sequencer (a contributor per slot, a new session
  every 25 drawings), over the same raw client; every session a run can use agrees to the
  terms (`POST /api/consent`) before its warm-up, untimed, so the submissions pass the
  consent check as a contributor's do;
* admin: `GET /api/admin/drawings?limit=50` and `GET /api/admin/stats` in turn, with the
  session cookie of one log-in, over httpx (the raw client speaks POST and needs a
  Content-Length; these are 2% of the requests).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import orjson

from bench.cpu import CPU, CpuSampler
from bench.drawings import Corpus
from bench.load import RawHttpClient, Result, Sequencer, agree_to_terms

KINDS = ("classify", "submit", "admin")
EXPECTED = {"classify": 200, "submit": 201, "admin": 200}
ADMIN_PATHS = ("/api/admin/drawings?limit=50", "/api/admin/stats")


def mix(classify: int = 40, submit: int = 9, admin: int = 1, seed: int = 0) -> list[str]:
    slots = ["classify"] * classify + ["submit"] * submit + ["admin"] * admin
    random.Random(seed).shuffle(slots)
    return slots


def classify_bodies(count: int) -> list[bytes]:
    """bench/classify.py's request bodies: synthetic drawings, seed 1, the shapes interleaved."""
    from crowdsketch.synthetic import SHAPES, synthetic_drawings

    per_shape = max(1, -(-count // len(SHAPES)))
    drawings = synthetic_drawings(list(SHAPES), per_shape, 1)
    drawings = [drawings[s * per_shape + i] for i in range(per_shape) for s in range(len(SHAPES))]
    return [orjson.dumps({"strokeData": data.model_dump(mode="json")}) for _, data in drawings]


@dataclass
class Mixed:
    """One measured run: all requests together, and each kind alone (its n over the same wall)."""
    total: Result
    kinds: dict[str, Result]


async def admin_cookie(url: str, email: str, password: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(f"{url}/api/admin/login", json={"email": email, "password": password})
        answer.raise_for_status()
        return answer.cookies["sid"]


class Traffic:
    """The three kinds of request against one stack's URL, and the load loop."""

    def __init__(self, url: str, sid: str, bodies: list[bytes], corpus: Corpus) -> None:
        self.url = url
        self.bodies = bodies
        self.corpus = corpus
        self.sequencer = Sequencer("m", corpus)
        self.raw = RawHttpClient()
        self.admin = httpx.AsyncClient(base_url=url, cookies={"sid": sid}, timeout=30)

    async def aclose(self) -> None:
        await self.raw.aclose()
        await self.admin.aclose()

    async def send(self, kind: str, i: int, slot: int, submitted: int) -> tuple[int, str]:
        if kind == "classify":
            status, content = await self.raw.post(f"{self.url}/api/inference/classify", self.bodies[i % len(self.bodies)],
                                                  {"content-type": "application/json"})
            return status, content.decode(errors="replace") if status != 200 else ""
        if kind == "submit":
            _, session, key, index = self.sequencer.next(slot, submitted)
            status, content = await self.raw.post(f"{self.url}/api/drawings", self.corpus.bodies[index], {
                "content-type": "application/json", "x-session-id": session, "x-idempotency-key": key})
            return status, content.decode(errors="replace") if status != 201 else ""
        answer = await self.admin.get(ADMIN_PATHS[i % len(ADMIN_PATHS)])
        return answer.status_code, answer.text if answer.status_code != 200 else ""

    async def load(self, plan: list[str], start: int, total: int, concurrency: int
                   ) -> tuple[float, dict[str, list[float]], dict[str, Counter], list[str]]:
        latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        errors: dict[str, Counter] = {kind: Counter() for kind in KINDS}
        samples: list[str] = []
        numbers = iter(range(start, start + total))

        async def worker(slot: int) -> None:
            submitted = 0
            for i in numbers:
                kind = plan[i % len(plan)]
                started = time.perf_counter()
                try:
                    status, detail = await self.send(kind, i, slot, submitted)
                except Exception as exc:  # noqa: BLE001 - an error is counted, not fatal
                    status, detail = -1, f"{type(exc).__name__}: {exc}"
                latencies[kind].append(time.perf_counter() - started)
                submitted += kind == "submit"
                if status != EXPECTED[kind]:
                    errors[kind][status] += 1
                    if len(samples) < 5:
                        samples.append(f"{kind} {status} {detail[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
        return time.perf_counter() - started, latencies, errors, samples

    async def measure(self, stack: str, mode: str, plan: list[str], concurrency: int, total: int, warmup: int) -> Mixed:
        """Consent for every session the submissions can use, then `warmup` requests untimed,
        then `total` timed (the same plan, continued)."""

        def submits(start: int, count: int) -> int:
            return sum(plan[i % len(plan)] == "submit" for i in range(start, start + count))

        await agree_to_terms([self.url], self.sequencer.upcoming((submits(0, warmup), concurrency),
                                                                 (submits(warmup, total), concurrency)))
        await self.load(plan, 0, warmup, concurrency)
        before = CPU.snapshot()
        wall, latencies, errors, samples = await self.load(plan, warmup, total, concurrency)
        cpu = CpuSampler.delta(before, CPU.snapshot(), wall)
        kinds = {kind: Result(stack, kind, concurrency, len(latencies[kind]), wall, latencies[kind], errors[kind], [], cpu)
                 for kind in KINDS if latencies[kind]}
        everything = [value for kind in KINDS for value in latencies[kind]]
        merged: Counter = Counter()
        for kind in KINDS:
            merged.update(errors[kind])
        result = Mixed(Result(stack, mode, concurrency, total, wall, everything, merged, samples, cpu), kinds)
        r = result.total
        print(f"  {stack:<12} {mode:<14} c={concurrency:<3} {r.rate:8.1f} req/s  p50 {r.pct(0.5):7.2f} ms  "
              f"p95 {r.pct(0.95):7.2f} ms  p99 {r.pct(0.99):7.2f} ms  errors {sum(merged.values())}", flush=True)
        return result
