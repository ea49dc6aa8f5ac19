"""One fault, as the tests (tests/faults/) and the benchmark (bench/faults.py) run it.

A bounded load runs through nginx (tests/faults/load.py) while one dependency is taken
away at its proxy ("down": refused and cut; "blackhole": bytes vanish), kept away for a
few seconds, and given back. Then a probe sends a fresh submission and a classification
until both succeed: the time from the dependency's return to both answers is the
recovery time, which the product promises is at most 5 s.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from tests.faults.load import STATUS_COLUMNS, Answer, Load, until_serving
from tests.faults.stack import FaultTopology

DEPENDENCIES = ("PostgreSQL", "Redis", "RabbitMQ", "S3")
RECOVERY_BOUND_S = 5.0  # the product's promise: serving again within 5 s of the dependency's return
RECOVERY_DEADLINE_S = 30.0  # the probe gives up here: not serving by then is a bug, not a slow machine


@dataclass
class FaultResult:
    dependency: str
    how: str
    outage_s: float
    answers: list[Answer]  # the load's and the recovery probe's
    accepted: dict[str, str]  # idempotency key -> drawing id, every 201 of the load
    recovery_s: float | None  # None: not serving within the probe's deadline
    returned_at: float  # time.monotonic() when the dependency came back
    during: Any = None  # what the `during` callback returned

    @property
    def sent_during_outage(self) -> list[Answer]:
        return [a for a in self.answers if a.phase == "outage"]

    @property
    def problems(self) -> list[Answer]:
        return [a for a in self.answers if a.problem is not None]

    def by_status(self, answers: list[Answer] | None = None) -> Counter[str]:
        return Counter(a.column for a in (self.sent_during_outage if answers is None else answers))

    @property
    def max_latency_s(self) -> float:
        return max((a.latency_s for a in self.sent_during_outage), default=0.0)

    def describe_problems(self, limit: int = 10) -> str:
        lines = [f"{a.kind} sent {a.phase}, {a.latency_s:.2f} s: {a.problem}" for a in self.problems[:limit]]
        more = len(self.problems) - limit
        return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


async def run_fault(
    topology: FaultTopology,
    dependency: str,
    how: Literal["down", "blackhole"] = "down",
    outage_s: float = 4.0,
    *,
    before_s: float = 1.0,
    after_s: float = 1.0,
    during: Callable[[], Awaitable[Any]] | None = None,
    load: Load | None = None,
    after_failed_probe: bool = False,
) -> FaultResult:
    """Load for `before_s`; the dependency away for `outage_s` (and `during()` run
    meanwhile); back; the probe until serving; `after_s` more of the load.

    `after_failed_probe`: after `outage_s`, keep the dependency away until the collection
    service's circuit breaker has let a probe through and seen it fail, and give it back
    right then: the breaker stays open for its whole reset time after that, the longest
    any client can wait for the service to notice the dependency is back."""
    proxy = topology.proxies[dependency]
    load = load or Load(topology.url)
    running = asyncio.create_task(load.run())
    try:
        await asyncio.sleep(before_s)
        load.phase = "outage"
        down_at = time.monotonic()
        await asyncio.to_thread(proxy.set_mode, how)
        outcome = await during() if during is not None else None
        await asyncio.sleep(max(0.0, down_at + outage_s - time.monotonic()))
        if after_failed_probe:
            await _a_probe_fails(topology, dependency)
        await asyncio.to_thread(proxy.set_mode, "up")
        back_at = time.monotonic()
        load.phase = "after"
        recovery_s, probe_answers = await until_serving(topology.url, back_at, deadline_s=RECOVERY_DEADLINE_S)
        await asyncio.sleep(after_s)
    finally:
        await asyncio.to_thread(proxy.set_mode, "up")
        load.stop()
        await running
    fault = f"{how}, back after a failed probe" if after_failed_probe else how
    return FaultResult(dependency, fault, back_at - down_at, [*load.answers, *probe_answers], dict(load.accepted),
                       recovery_s, back_at, outcome)


# The collection service's name for each dependency it guards (crowdsketch.resources).
GUARD_NAMES = {"PostgreSQL": "database", "Redis": "key-value store", "S3": "blob store"}


async def _a_probe_fails(topology: FaultTopology, dependency: str, within_s: float = 30.0) -> None:
    """Until the collection service counts one more failed call to the dependency. With its
    breaker open, only a probe gets as far as failing (calls refused by the open breaker
    are not counted), so the breaker has just opened again, for its whole reset time."""
    url = f"{topology.collection_url}/metrics"
    pattern = re.compile(
        r'^crowdsketch_dependency_failures_total\{dependency="' + re.escape(GUARD_NAMES[dependency]) + r'"\} (\S+)$',
        re.MULTILINE)

    async def failures(http: httpx.AsyncClient) -> float:
        match = pattern.search((await http.get(url)).text)
        return float(match.group(1)) if match else 0.0

    async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
        before = await failures(http)
        deadline = time.monotonic() + within_s
        while await failures(http) <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"no failed probe of {dependency} within {within_s} s")
            await asyncio.sleep(0.02)


# --------------------------------------------------------------------------------------
# The table.
# --------------------------------------------------------------------------------------

def table(results: list[FaultResult]) -> str:
    head = ["dependency", "fault", "outage", "sent during", *STATUS_COLUMNS, "max latency", "recovered after"]
    rows = []
    for result in results:
        counts = result.by_status()
        if result.recovery_s is None:
            recovered = f"not within {RECOVERY_DEADLINE_S:g} s"
        else:
            over = result.recovery_s > RECOVERY_BOUND_S
            recovered = f"{result.recovery_s:.2f} s" + (f" (over the {RECOVERY_BOUND_S:g} s promise)" if over else "")
        rows.append([result.dependency, result.how, f"{result.outage_s:.1f} s", str(len(result.sent_during_outage)),
                     *(str(counts.get(column, 0)) for column in STATUS_COLUMNS),
                     f"{result.max_latency_s:.2f} s", recovered])
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(head), rule, *(line(row) for row in rows)])
