"""The counts the database keeps (drawing_tallies, drawing_days, collection_counts) stay
equal to a recount of the drawings whatever changes them, on both stacks (the doctor, the
deadlock and folding: test_kept_counts_upkeep.py).

The property test drives a random sequence (seeded, so a failure replays) of everything that
writes drawings or contributor sessions through the HTTP API: game submissions (alone and
several at once), admin flag / unflag / bulk flag, review accept / flag / relabel, delete,
imports (with a source, writers named, old creation times, a line repeated), and a
contributor's withdrawal. Every few operations it checks that `find_drift` finds nothing, and
that the Overview and the drawing list's totals equal a recount made in Python from a plain
SELECT of the drawings (tests/support/kept_counts.py)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from crowdsketch.db.models import Drawing
from crowdsketch.strokes import StrokeData
from tests.support.drawings import drawing_body, submission_headers
from tests.support.kept_counts import (
    Recount,
    drift,
    list_total,
    ndjson_line,
    past_moments,
    recount,
    stats,
    stats_mismatches,
    varied_strokes,
)
from tests.support.stacks import Stack

NDJSON = {"Content-Type": "application/x-ndjson"}
SHAPES = ["circle", "square", "triangle", "line", "star"]
DEVICES = ["mouse", "touch", "pen"]
SEEDS = [1, 2, 3, 4]
OPERATIONS = 90
CHECK_EVERY = 4
# How often each operation is drawn, after each has run once.
WEIGHTS = {
    "submit": 9, "burst": 2, "flag": 3, "unflag": 2, "bulk_flag": 2, "relabel": 3, "review": 2,
    "delete": 2, "import": 2, "withdraw": 1,
}


class Run:
    """One seeded run: the operations it makes and what it has told the API."""

    def __init__(self, client: httpx.AsyncClient, stack: Stack, seed: int) -> None:
        self.client, self.stack, self.rng = client, stack, random.Random(seed)
        self.seed = seed
        self.sessions = [uuid.uuid4().hex for _ in range(4)]
        self.log: list[str] = []
        self.imported_lines: list[bytes] = []

    def note(self, entry: str) -> None:
        self.log.append(f"{len(self.log)}: {entry}")

    def context(self) -> str:
        return f"seed {self.seed} on {self.stack.mode}; operations:\n" + "\n".join(self.log[-15:])

    async def ids(self, **conditions: Any) -> list[str]:
        async def read(session):  # type: ignore[no-untyped-def]
            statement = select(Drawing.id).order_by(Drawing.id)
            for column, value in conditions.items():
                statement = statement.where(getattr(Drawing, column) == value)
            return [str(i) for i in (await session.execute(statement)).scalars()]

        return await self.stack.stores.db.run(read, write=False)

    # --- operations ---------------------------------------------------------------

    async def submit(self) -> None:
        session_id, shape, device = self.rng.choice(self.sessions), self.rng.choice(SHAPES), self.rng.choice(DEVICES)
        body = drawing_body(shape, varied_strokes(self.rng), device=device, duration_ms=self.rng.choice([60, 500, 3000]))
        response = await self.client.post("/api/drawings", json=body, headers=submission_headers(session_id, shape))
        assert response.status_code == 201, response.text
        self.note(f"submit {shape} {device} by {session_id[:6]}: quality {response.json()['qualityScore']}")

    async def burst(self) -> None:
        """Several writes at once: submissions, and a bulk flag of what is there."""
        known = await self.ids()
        flag_some = self.rng.sample(known, min(len(known), 3))
        before = len(self.log)
        jobs = [self.submit() for _ in range(self.rng.randint(3, 5))]
        if flag_some:
            jobs.append(self._bulk_flag(flag_some))
        await asyncio.gather(*jobs)
        self.note(f"burst of the {len(self.log) - before} operations above")

    async def flag(self) -> None:
        known = await self.ids()
        if not known:
            return await self.submit()
        target = self.rng.choice(known)
        response = await self.client.post(f"/api/admin/drawings/{target}/flag", json={"reason": "a scribble"})
        assert response.status_code == 200, response.text
        self.note(f"flag {target[:8]}")

    async def unflag(self) -> None:
        flagged = await self.ids(flagged=True)
        if not flagged:
            return await self.flag()
        target = self.rng.choice(flagged)
        response = await self.client.post(f"/api/admin/drawings/{target}/unflag")
        assert response.status_code == 200, response.text
        self.note(f"unflag {target[:8]}")

    async def _bulk_flag(self, ids: list[str]) -> None:
        unknown = str(uuid.uuid4())
        response = await self.client.post("/api/admin/drawings/flag", json={"ids": [*ids, ids[0], unknown], "reason": "spam"})
        assert response.status_code == 200, response.text
        assert response.json() == {"flagged": len(ids), "unknownIds": [unknown]}
        self.note(f"bulk flag {[i[:8] for i in ids]}")

    async def bulk_flag(self) -> None:
        known = await self.ids()
        if not known:
            return await self.submit()
        await self._bulk_flag(self.rng.sample(known, min(len(known), self.rng.randint(1, 5))))

    async def relabel(self) -> None:
        async def read(session):  # type: ignore[no-untyped-def]
            return (await session.execute(select(Drawing.id, Drawing.shape_id).order_by(Drawing.id))).all()

        rows = await self.stack.stores.db.run(read, write=False)
        if not rows:
            return await self.submit()
        target, shape = self.rng.choice(rows)
        to = self.rng.choice([s for s in SHAPES if s != shape])
        response = await self.client.post(f"/api/admin/review/{target}", json={"action": "relabel", "shapeId": to})
        assert response.status_code == 200, response.text
        self.note(f"relabel {str(target)[:8]} {shape} -> {to}")

    async def review(self) -> None:
        """Accept (an update of no counted column) or flag through the review queue."""
        known = await self.ids()
        if not known:
            return await self.submit()
        target, action = self.rng.choice(known), self.rng.choice(["accept", "flag"])
        response = await self.client.post(f"/api/admin/review/{target}", json={"action": action})
        assert response.status_code == 200, response.text
        self.note(f"review {action} {target[:8]}")

    async def delete(self) -> None:
        known = await self.ids()
        if not known:
            return await self.submit()
        target = self.rng.choice(known)
        response = await self.client.delete(f"/api/admin/drawings/{target}")
        assert response.status_code == 204, response.text
        self.note(f"delete {target[:8]}")

    async def import_(self) -> None:
        source = self.rng.choice(["dollar", "kiosk"])
        moments = past_moments(datetime.now(UTC))
        lines = []
        for _ in range(self.rng.randint(2, 5)):
            line = ndjson_line(
                self.rng, self.rng.choice(SHAPES), device=self.rng.choice(DEVICES),
                subject=self.rng.choice([None, "s01", "s02"]),
                created_at=self.rng.choice([None, *moments]),
                source=self.rng.choice([None, None, "synthetic"]),
            )
            lines.append(orjson.dumps(line))
        # A line of an earlier import: a duplicate while its drawing is there; imported
        # again once that drawing was deleted or withdrawn.
        repeated = self.rng.sample(self.imported_lines, min(len(self.imported_lines), 1))
        still_there = [line for line in repeated if await self._stored(line)]
        body = b"\n".join([*lines, lines[0], *repeated]) + b"\n"
        response = await self.client.post("/api/admin/import", content=body, params={"source": source}, headers=NDJSON)
        assert response.status_code == 200, response.text
        summary = response.json()
        expected = (len(lines) + len(repeated) - len(still_there), 1 + len(still_there), 0)
        assert (summary["imported"], summary["duplicates"], summary["failed"]) == expected, summary
        self.imported_lines += lines
        self.note(f"import {len(lines)} lines as {source} (+{1 + len(repeated)} repeated)")

    async def _stored(self, line: bytes) -> bool:
        strokes = orjson.loads(line)["strokes"]
        content_hash = StrokeData.model_validate(
            {"canvas": {"width": 1, "height": 1}, "strokes": strokes, "duration_ms": 0, "device": "mouse"}
        ).content_hash()
        return bool(await self.ids(content_hash=content_hash))

    async def withdraw(self) -> None:
        session_id = self.rng.choice(self.sessions)
        theirs = len(await self.ids(session_id=session_id))
        response = await self.client.delete("/api/contributors/me", headers={"X-Session-Id": session_id})
        assert response.status_code == 200, response.text
        assert response.json()["drawings"] == theirs
        self.note(f"withdraw {session_id[:6]} ({theirs} drawings)")

    async def operate(self, name: str) -> None:
        await getattr(self, "import_" if name == "import" else name)()

    # --- checks -------------------------------------------------------------------

    async def check(self) -> Recount:
        context = self.context()
        assert await drift(self.stack) == [], context
        counted = await recount(self.stack)
        assert stats_mismatches(await stats(self.client), counted) == [], context
        shapes = counted.per_shape()
        unflagged = counted.per_shape(flagged=False)
        listed = (await self.client.get("/api/admin/shapes")).json()
        assert {s["id"]: (s["total"], s["unflagged"]) for s in listed} == {
            s["id"]: (shapes[s["id"]], unflagged[s["id"]]) for s in listed}, context
        for shape in [*shapes, next(s for s in SHAPES + ["hexagon"] if s not in shapes)]:
            assert await self._total(shape=shape, limit=1) == (shapes[shape], False), f"shape {shape}\n{context}"
        rows = counted.rows
        assert await self._total(flagged="true") == (len(counted.where(flagged=True)), False), context
        edge = self.rng.randint(1, 9) / 10
        assert await self._total(minQuality=edge) == (sum(r.quality_score >= edge for r in rows), False), context
        if rows:
            some = self.rng.choice(rows)
            expected = len(counted.where(source=some.source, device=some.device))
            assert await self._total(source=some.source, device=some.device) == (expected, False), context
            # Whole UTC days of one shape: answered by drawing_days.
            day = datetime.combine(some.day, time(), tzinfo=UTC)
            expected = len(counted.where(shape_id=some.shape_id, day=some.day))
            served = await self._total(shape=some.shape_id, createdFrom=day.isoformat(),
                                       createdTo=(day + timedelta(days=1)).isoformat())
            assert served == (expected, False), f"{some.shape_id} on {some.day}\n{context}"
        return counted

    async def _total(self, **params: Any) -> tuple[int, bool]:
        total, estimated, _ = await list_total(self.client, **{"limit": 1, **params})
        return total, estimated


def _plan(rng: random.Random) -> list[str]:
    """Every operation at least once, the rest drawn by weight; a few submissions first so
    that there is something to curate."""
    names = list(WEIGHTS)
    drawn = [*names, *rng.choices(names, weights=list(WEIGHTS.values()), k=OPERATIONS - len(names) - 3)]
    rng.shuffle(drawn)
    return ["submit"] * 3 + drawn


@pytest.mark.parametrize("seed", SEEDS)
async def test_the_kept_counts_equal_a_recount_after_every_kind_of_change(
    admin_client: httpx.AsyncClient, stack: Stack, seed: int
) -> None:
    run = Run(admin_client, stack, seed)
    plan = _plan(run.rng)
    for step, name in enumerate(plan, start=1):
        await run.operate(name)
        if step % CHECK_EVERY == 0:
            await run.check()
    counted = await run.check()

    # The run did what it meant to: every kind of change happened and left drawings behind.
    assert set(WEIGHTS) <= set(plan)
    assert len(counted.rows) > 10 and len(counted.where(flagged=True)) > 0
    assert len(counted.by_source) >= 3 and len(counted.by_device) == 3, (counted.by_source, counted.by_device)
    assert len(counted.bins) >= 5 and len(counted.per_day) >= 3, (counted.bins, counted.per_day)
