"""bench/classify.py's results: a mode's runs put together, and the printed report."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from bench.classify_keys import AUTHS
from bench.load import Result

AIM_P50_MS = 2.0
AIM_RATE_C32 = 1000.0
AIM_KEY_ADDED_P50_MS = 0.1


@dataclass
class Served:
    """One mode at one concurrency: all its requests, and each round's block of them."""

    auth: str
    total: Result
    blocks: list[Result]

    @property
    def label(self) -> str:
        return f"{AUTHS[self.auth]} c={self.total.conc}"


def combined(blocks: list[Result]) -> Result:
    first, wall = blocks[0], sum(b.wall_s for b in blocks)
    groups = {g for b in blocks for g in b.cpu}
    return Result(first.stack, first.mode, first.conc, sum(b.n for b in blocks), wall,
                  [x for b in blocks for x in b.latencies], sum((b.errors for b in blocks), Counter()),
                  [s for b in blocks for s in b.error_samples][:5],
                  {g: sum(b.cpu.get(g, 0.0) * b.wall_s for b in blocks) / wall for g in groups})


def cpu_ms(r: Result, group: str) -> float:
    """Milliseconds of the group's CPU a request."""
    return r.cpu.get(group, 0.0) * r.wall_s / r.n * 1000


def report(served: list[Served], floor: Result | None, stack_note: str, redis: bool) -> None:
    rows = [(s.label, s.total) for s in served] + ([("onnxruntime in-process", floor)] if floor else [])
    per_request = ["server", *(["redis"] if redis else [])]  # `redis`: the run's own redis-server
    print()
    print(f"POST /api/inference/classify, 1 `crowdsketch serve --no-worker` process ({stack_note}), "
          "CROWDSKETCH_INFERENCE_AUTH=optional, raw client; onnxruntime in-process = rasterize + session.run, "
          "single image, 1 thread; CPU ms/req = the process's CPU time over the requests")
    print(f"{'mode':<24} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
          + " ".join(f"{g + ' ms/req':>14}" for g in per_request) + f" {'p50 ÷ ort':>10} {'req/s ÷ ort':>12}")
    for label, r in rows:
        ratio_p50 = f"{r.pct(0.5) / floor.pct(0.5):.1f}×" if floor else "-"
        ratio_rate = f"{r.rate / floor.rate:.2f}×" if floor else "-"
        cpu = " ".join(f"{cpu_ms(r, g) if r is not floor else float('nan'):>14.3f}" for g in per_request)
        print(f"{label:<24} {r.rate:>9.1f} {r.pct(0.5):>8.3f} {r.pct(0.95):>8.3f} {r.pct(0.99):>8.3f} "
              f"{sum(r.errors.values()):>7} {cpu} {ratio_p50:>10} {ratio_rate:>12}")

    compared = [(s, next(b for b in served if b.auth == "none" and b.total.conc == s.total.conc))
                for s in served if s.auth != "none" and any(b.auth == "none" for b in served)]
    if compared:
        print()
        print("With a key against without, on the same server in the same rounds "
              "(Δ = with − without; by round: each round's p50 difference, median [least, most]):")
        print(f"{'mode':<24} {'Δp50 ms':>8} {'p50 ×':>7} {'Δp95 ms':>8} {'req/s ×':>8} "
              + " ".join(f"{'Δ' + g + ' ms/req':>15}" for g in per_request) + f"  {'Δp50 by round, ms':<26}")
        for s, base in compared:
            a, b = s.total, base.total
            by_round = sorted(x.pct(0.5) - y.pct(0.5) for x, y in zip(s.blocks, base.blocks))
            spread = f"{by_round[len(by_round) // 2]:+.3f} [{by_round[0]:+.3f}, {by_round[-1]:+.3f}]"
            cpu = " ".join(f"{cpu_ms(a, g) - cpu_ms(b, g):>+15.3f}" for g in per_request)
            print(f"{s.label:<24} {a.pct(0.5) - b.pct(0.5):>+8.3f} {a.pct(0.5) / b.pct(0.5):>6.3f}× "
                  f"{a.pct(0.95) - b.pct(0.95):>+8.3f} {a.rate / b.rate:>7.3f}× {cpu}  {spread:<26}")

    print()
    print(f"CPU used during each measured run, in cores (this machine has {os.cpu_count()}):")
    groups = ["loadgen", "server", *per_request[1:], "other", "_irq", "_busy", "_steal"]
    print(f"{'mode':<24} " + " ".join(f"{g.strip('_'):>8}" for g in groups))
    for label, r in rows:
        print(f"{label:<24} " + " ".join(f"{r.cpu.get(g, 0.0):>8.2f}" for g in groups))
    busy = [label for label, r in rows if r.cpu.get("other", 0.0) > 0.25]
    if busy:
        print("WARNING: other processes used the CPU during " + ", ".join(busy)
              + " ('other' column): those numbers are low; rerun on a quiet machine")
    for s in served:
        if s.total.errors:
            print(f"errors {s.label}: {dict(s.total.errors)}")
            for sample in s.total.error_samples:
                print(f"    {sample}")

    print()
    base_auth = "none" if any(s.auth == "none" for s in served) else served[0].auth
    c1 = next((s.total for s in served if s.auth == base_auth and s.total.conc == 1), None)
    c32 = next((s.total for s in served if s.auth == base_auth and s.total.conc == 32), None)
    if c1 is not None:
        ok = c1.pct(0.5) <= AIM_P50_MS
        print(f"aim: p50 ≤ {AIM_P50_MS:.0f} ms at c=1 ({AUTHS[base_auth]}): {c1.pct(0.5):.3f} ms -> "
              f"{'MET' if ok else 'NOT met'}")
    if c32 is not None:
        ok = c32.rate >= AIM_RATE_C32
        print(f"aim: ≥ {AIM_RATE_C32:,.0f} req/s at c=32 ({AUTHS[base_auth]}): {c32.rate:,.1f} req/s -> "
              f"{'MET' if ok else 'NOT met'}")
    for s, base in compared:
        if s.total.conc == 1:
            added = s.total.pct(0.5) - base.total.pct(0.5)
            print(f"aim: {AUTHS[s.auth]} adds ≤ {AIM_KEY_ADDED_P50_MS} ms to p50 at c=1: {added:+.3f} ms -> "
                  f"{'MET' if added <= AIM_KEY_ADDED_P50_MS else 'NOT met'}")

