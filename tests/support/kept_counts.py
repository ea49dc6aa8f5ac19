"""Checks of the counts the database keeps (`drawing_tallies`, `drawing_days`,
`collection_counts`) against the drawings themselves.

The recount here is deliberately naive and independent of `crowdsketch.common.tallies`: it
reads every drawing's columns with one plain SELECT and groups them in Python (the quality
bin by comparison with i/10, the day from the UTC timestamp). What the app serves
(`GET /api/admin/stats`, the drawing list's `total`) is compared with it, and
`tallies.find_drift` is run on the database as well."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common import tallies
from crowdsketch.db.models import ContributorSession, Drawing
from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack

QUALITY_BINS = 10
DEVICES = ("mouse", "touch", "pen")


def quality_bin(score: float) -> int:
    """Bin i holds [i/10, (i+1)/10); the last also holds 1.0."""
    for i in range(QUALITY_BINS - 1):
        if score < (i + 1) / QUALITY_BINS:
            return i
    return QUALITY_BINS - 1


@dataclass(frozen=True)
class Row:
    id: str
    shape_id: str
    source: str
    device: str
    flagged: bool
    quality_score: float
    created_at: datetime
    session_id: str | None

    @property
    def day(self) -> date:
        return self.created_at.astimezone(UTC).date()


@dataclass(frozen=True)
class Recount:
    rows: tuple[Row, ...]
    sessions: int

    def where(self, **conditions: Any) -> list[Row]:
        return [row for row in self.rows if all(getattr(row, k) == v for k, v in conditions.items())]

    def per_shape(self, **conditions: Any) -> Counter[str]:
        return Counter(row.shape_id for row in self.where(**conditions))

    @property
    def by_source(self) -> Counter[str]:
        return Counter(row.source for row in self.rows)

    @property
    def by_device(self) -> Counter[str]:
        return Counter(row.device for row in self.rows)

    @property
    def bins(self) -> Counter[int]:
        return Counter(quality_bin(row.quality_score) for row in self.rows)

    @property
    def per_day(self) -> Counter[date]:
        return Counter(row.day for row in self.rows)

    def per_day_shape(self) -> Counter[tuple[date, str]]:
        return Counter((row.day, row.shape_id) for row in self.rows)

    def tally_keys(self, **conditions: Any) -> set[tuple[str, str, str, bool, int]]:
        """The (shape, source, device, flag, quality bin) groups that hold drawings."""
        return {(r.shape_id, r.source, r.device, r.flagged, quality_bin(r.quality_score)) for r in self.where(**conditions)}


async def recount(stack: Stack) -> Recount:
    async def read(session: AsyncSession) -> Recount:
        columns = (Drawing.id, Drawing.shape_id, Drawing.source, Drawing.device, Drawing.flagged,
                   Drawing.quality_score, Drawing.created_at, Drawing.session_id)
        rows = tuple(
            Row(str(i), shape, source, device, bool(flagged), float(q), created, session_id)
            for i, shape, source, device, flagged, q, created, session_id in (await session.execute(select(*columns))).all()
        )
        sessions = (await session.execute(select(func.count()).select_from(ContributorSession))).scalar_one()
        return Recount(rows, int(sessions))

    return await stack.stores.db.run(read, write=False)


async def drift(stack: Stack) -> list[tallies.Drift]:
    async with stack.stores.db.request_session() as session:
        return await tallies.find_drift(session)


async def stats(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/admin/stats")
    assert response.status_code == 200, response.text
    return response.json()


def stats_mismatches(body: dict[str, Any], counted: Recount) -> list[str]:
    """Every part of the Overview that differs from the recount, as readable lines (empty
    when all agree)."""
    problems: list[str] = []

    def check(what: str, served: Any, expected: Any) -> None:
        if served != expected:
            problems.append(f"{what}: served {served!r}, counted {expected!r}")

    total = len(counted.rows)
    flagged = len(counted.where(flagged=True))
    check("totals", body["totals"], {
        "drawings": total, "flagged": flagged, "unflagged": total - flagged,
        "flaggedShare": flagged / total if total else 0.0,
    })
    per_shape = counted.per_shape()
    unflagged = counted.per_shape(flagged=False)
    check("perShape", {s["shape"]: (s["total"], s["unflagged"]) for s in body["perShape"]},
          {s["shape"]: (per_shape[s["shape"]], unflagged[s["shape"]]) for s in body["perShape"]})
    unknown = set(per_shape) - {s["shape"] for s in body["perShape"]}
    check("shapes counted but not listed", sorted(unknown), [])
    check("bySource", {s["source"]: s["total"] for s in body["bySource"]}, dict(counted.by_source))
    check("bySource order", [s["total"] for s in body["bySource"]], sorted((s["total"] for s in body["bySource"]), reverse=True))
    check("byDevice", {d["device"]: d["total"] for d in body["byDevice"]},
          {device: counted.by_device[device] for device in {*DEVICES, *counted.by_device}})
    check("qualityHistogram", [b["total"] for b in body["qualityHistogram"]],
          [counted.bins[i] for i in range(QUALITY_BINS)])
    check("qualityHistogram edges", [(b["start"], b["end"]) for b in body["qualityHistogram"]],
          [(i / QUALITY_BINS, (i + 1) / QUALITY_BINS) for i in range(QUALITY_BINS)])
    days = counted.per_day
    check("perDay", {d["date"]: d["total"] for d in body["perDay"]},
          {d["date"]: days[date.fromisoformat(d["date"])] for d in body["perDay"]})
    check("contributorSessions", body["contributorSessions"], counted.sessions)
    return problems


async def list_total(client: httpx.AsyncClient, **params: Any) -> tuple[int, bool, list[dict[str, Any]]]:
    """(total, totalIsEstimate, items) of `GET /api/admin/drawings` with these filters."""
    response = await client.get("/api/admin/drawings", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["total"], body["totalIsEstimate"], body["items"]


# --- drawings in the wire format, of varied quality ------------------------------------


def varied_strokes(rng: random.Random) -> list[list[list[float]]]:
    """An arc (a full circle, part of one, or a scribble of a few points) whose quality score
    lands anywhere from poor to good: the number of points, the size and the closure vary.
    Coordinates are random, so two drawings are never the same content."""
    points = rng.choice([2, 3, 5, 8, 12, 20, 30, 40])
    radius = rng.choice([3, 8, 20, 40, 80, 150]) + rng.random()
    sweep = rng.choice([0.3, 0.6, 0.9, 1.0])
    cx, cy = 200 + rng.uniform(-20, 20), 200 + rng.uniform(-20, 20)
    step = rng.choice([2, 10, 40])
    stroke = [
        [round(cx + radius * math.cos(2 * math.pi * sweep * i / (points - 1)), 3),
         round(cy + radius * math.sin(2 * math.pi * sweep * i / (points - 1)), 3), i * step]
        for i in range(points)
    ]
    return [stroke]


def ndjson_line(rng: random.Random, shape: str, *, subject: str | None = None, device: str = "mouse",
                created_at: datetime | None = None, source: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"label": shape, "strokes": varied_strokes(rng), "device": device,
                            "duration_ms": rng.choice([50, 400, 1500])}
    if subject is not None:
        line["subject"] = subject
    if created_at is not None:
        line["created_at"] = created_at.isoformat()
    if source is not None:
        line["source"] = source
    return line


def past_moments(now: datetime) -> list[datetime]:
    """Times an import may give its drawings: the edges of UTC days (midnight exactly, the
    last microsecond before it), inside and outside the Overview's 30 days."""
    today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    return [
        today,
        today - timedelta(microseconds=1),
        today - timedelta(days=1),
        today - timedelta(days=3, hours=-11, minutes=-17),
        today - timedelta(days=29),
        today - timedelta(days=30, microseconds=1),
        today - timedelta(days=30),
        today - timedelta(days=400, hours=-5),
    ]


async def execute_sql(stack: Stack, *statements: str) -> None:
    async def run(session) -> None:  # type: ignore[no-untyped-def]
        for statement in statements:
            await session.execute(text(statement))

    await stack.stores.db.run(run)


async def scalar_sql(stack: Stack, statement: str) -> Any:
    async def run(session) -> Any:  # type: ignore[no-untyped-def]
        return (await session.execute(text(statement))).scalar_one()

    return await stack.stores.db.run(run, write=False)


async def submit_drawing(client: httpx.AsyncClient, rng: random.Random, shape: str, session_id: str, device: str = "mouse") -> str:
    body = drawing_body(shape, varied_strokes(rng), device=device)
    response = await client.post("/api/drawings", json=body, headers=submission_headers(session_id, shape))
    assert response.status_code == 201, response.text
    return response.json()["id"]
