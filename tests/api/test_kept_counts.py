"""The counts the database keeps (drawing_tallies, drawing_days, collection_counts) stay
equal to a recount of the drawings whatever changes them, on both stacks; and when they are
changed behind the triggers' back, `crowdsketch doctor` finds the drift and recounts.

The property test drives a random sequence (seeded, so a failure replays) of everything that
writes drawings or contributor sessions through the HTTP API: game submissions (alone and
several at once), admin flag / unflag / bulk flag, review accept / flag / relabel, delete,
imports (with a source, writers named, old creation times, a line repeated), and a
contributor's withdrawal. Every few operations it checks that `find_drift` finds nothing, and
that the Overview and the drawing list's totals equal a recount made in Python from a plain
SELECT of the drawings (tests/support/kept_counts.py)."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import delete, insert, select, text
from typer.testing import CliRunner

from crowdsketch.cli import app
from crowdsketch.common import tallies
from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.doctor import Kind, Outcome, diagnose, repair
from crowdsketch.strokes import StrokeData
from tests.api.admin.seed import drawing_row
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
from tests.api.admin.test_eval_sets import _worker
from tests.support.stacks import Stack, copy_sqlite_template
from tests.support.waiting import JOB_DEADLINE_S, eventually

NDJSON = {"Content-Type": "application/x-ndjson"}
NO_GRACE = 0.0
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


# --- drift behind the triggers' back, and the doctor ------------------------------------


async def _execute(stack: Stack, *statements: str) -> None:
    async def run(session) -> None:  # type: ignore[no-untyped-def]
        for statement in statements:
            await session.execute(text(statement))

    await stack.stores.db.run(run)


async def _scalar(stack: Stack, statement: str) -> Any:
    async def run(session) -> Any:  # type: ignore[no-untyped-def]
        return (await session.execute(text(statement))).scalar_one()

    return await stack.stores.db.run(run, write=False)


async def _submit(client: httpx.AsyncClient, rng: random.Random, shape: str, session_id: str, device: str = "mouse") -> str:
    body = drawing_body(shape, varied_strokes(rng), device=device)
    response = await client.post("/api/drawings", json=body, headers=submission_headers(session_id, shape))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_the_doctor_finds_counts_changed_behind_the_triggers_back_and_recounts_them(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    rng = random.Random(7)
    alice, bob = uuid.uuid4().hex, uuid.uuid4().hex
    drawn = [await _submit(admin_client, rng, shape, who, device)
             for shape, who, device in [("circle", alice, "mouse"), ("circle", bob, "touch"),
                                        ("square", alice, "pen"), ("line", bob, "mouse")]]
    await admin_client.post(f"/api/admin/drawings/{drawn[0]}/flag", json={"reason": "a scribble"})
    counted = await recount(stack)
    assert stats_mismatches(await stats(admin_client), counted) == []
    assert (await diagnose(stack.stores, NO_GRACE)).healthy

    # Every circle row, including any the flag left at 0. PostgreSQL keeps deltas (a key may
    # have several rows until the worker folds them), SQLite one row per key.
    circle_groups = await _scalar(stack, "SELECT count(*) FROM drawing_tallies WHERE shape_id = 'circle'")
    circle_keys = await _scalar(stack, "SELECT count(*) FROM (SELECT DISTINCT shape_id, source, device, flagged, "
                                       "quality_bin FROM drawing_tallies WHERE shape_id = 'circle') AS k")
    assert circle_groups >= circle_keys >= len(counted.tally_keys(shape_id="circle")) >= 2
    await _execute(
        stack,
        "UPDATE drawing_tallies SET total = total + 5 WHERE shape_id = 'circle'",
        "INSERT INTO drawing_tallies (shape_id, source, device, flagged, quality_bin, total) "
        "VALUES ('star', 'game', 'pen', false, 3, 2)",
        "DELETE FROM drawing_days",
        "UPDATE collection_counts SET total = 0",
    )
    # The Overview reads what is kept, so it is wrong now...
    served = await stats(admin_client)
    assert served["totals"]["drawings"] == 4 + 5 * circle_groups + 2
    assert served["contributorSessions"] == 0 and counted.sessions == 2
    assert stats_mismatches(served, counted) != []

    # ...and the doctor says where.
    report = await diagnose(stack.stores, NO_GRACE)
    assert not report.healthy
    assert {f.kind for f in report.problems} == {Kind.COUNT_DRIFT}
    findings = {f.subject: f.detail for f in report.of_kind(Kind.COUNT_DRIFT)}
    by_table = Counter(subject.split(" ", 1)[0] for subject in findings)
    assert by_table == {"drawing_tallies": circle_keys + 1, "drawing_days": len(counted.per_day_shape()),
                        "collection_counts": 1}, findings
    assert findings["drawing_tallies (star, game, pen, False, 3)"] == "kept 2, counted 0"
    assert findings["collection_counts (contributor_sessions)"] == "kept 0, counted 2"
    assert all(detail.startswith("kept 0, counted ") for subject, detail in findings.items()
               if subject.startswith("drawing_days"))

    result = await repair(stack.stores, report)

    assert result.succeeded
    assert [(a.finding.subject, a.outcome) for a in result.actions] == [(s, Outcome.REPAIRED) for s in findings]
    assert (await diagnose(stack.stores, NO_GRACE)).healthy
    assert await drift(stack) == []
    assert stats_mismatches(await stats(admin_client), await recount(stack)) == []
    # The triggers go on counting from the recount.
    await _submit(admin_client, rng, "star", alice, "pen")
    await admin_client.post(f"/api/admin/review/{drawn[1]}", json={"action": "relabel", "shapeId": "star"})
    assert await drift(stack) == []
    assert stats_mismatches(await stats(admin_client), await recount(stack)) == []
    total, estimated, _ = await list_total(admin_client, shape="star", limit=1)
    assert (total, estimated) == (2, False)


# --- the command line -------------------------------------------------------------------


def _doctor(data_dir: Path, *args: str) -> tuple[int, str]:
    env = {"CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_LOG_JSON": "false"}
    result = CliRunner().invoke(app, ["doctor", "--data-dir", str(data_dir), "--grace", "0", "--json", *args], env=env)
    return result.exit_code, result.output


def test_crowdsketch_doctor_repairs_drifted_counts(tmp_path: Path, sqlite_template: Path) -> None:
    """Embedded only: the command is given a data dir."""
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    with sqlite3.connect(data_dir / "crowdsketch.db") as db:
        db.execute("UPDATE collection_counts SET total = 7")
        db.execute("INSERT INTO drawing_tallies VALUES ('circle', 'import', 'touch', 0, 9, 3)")
        db.execute("INSERT INTO drawing_days VALUES ('2026-01-02', 'circle', 3)")

    code, output = _doctor(data_dir)
    report = json.loads(output)
    assert code == 1 and report["healthy"] is False
    assert report["counts"]["count_drift"] == 3
    assert sorted((p["kind"], p["subject"], p["detail"]) for p in report["problems"]) == [
        ("count_drift", "collection_counts (contributor_sessions)", "kept 7, counted 0"),
        ("count_drift", "drawing_days (2026-01-02, circle)", "kept 3, counted 0"),
        ("count_drift", "drawing_tallies (circle, import, touch, False, 9)", "kept 3, counted 0"),
    ]

    code, output = _doctor(data_dir, "--repair")
    repaired = json.loads(output)
    assert code == 0, output
    assert repaired["repair"]["succeeded"] is True
    assert sorted(a["outcome"] for a in repaired["repair"]["actions"]) == ["repaired"] * 3

    code, output = _doctor(data_dir)
    assert code == 0 and json.loads(output)["healthy"] is True
    with sqlite3.connect(data_dir / "crowdsketch.db") as db:
        assert db.execute("SELECT name, total FROM collection_counts").fetchall() == [("contributor_sessions", 0)]
        assert db.execute("SELECT count(*) FROM drawing_tallies WHERE total <> 0").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM drawing_days WHERE total <> 0").fetchone() == (0,)


# --- lock order (PostgreSQL) ------------------------------------------------------------


async def test_a_withdrawal_and_an_import_naming_a_new_writer_at_the_same_moment_do_not_deadlock(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    """The two transactions as crowdsketch/datasets/withdrawal.py (`_delete_rows`) and
    CollectionService.store_drawings (an import) run them, statement by statement,
    interleaved on two connections: a contributor who drew a circle today withdraws while an
    import stores a circle by a writer the file names for the first time. Counter rows that
    were upserted made these two deadlock (each took the rows the other then wanted, in the
    opposite order); appended deltas lock no shared row."""
    if stack.mode == "embedded":
        pytest.skip("SQLite has one writer at a time")
    alice = uuid.uuid4().hex
    await _submit(client, random.Random(3), "circle", alice)
    now = datetime.now(UTC)
    writer = {"id": "dollar:s09", "created_at": now, "last_seen_at": now, "drawing_count": 1, "today": now.date(),
              "today_count": 1}
    imported = drawing_row(shape_id="circle", source="dollar", session_id="dollar:s09", created_at=now)

    engine = stack.stores.db.engine
    failures: list[BaseException] = []
    async with engine.connect() as withdrawal, engine.connect() as importer:
        for connection in (withdrawal, importer):
            await connection.execute(text("SET deadlock_timeout = '200ms'"))
            await connection.commit()
        try:
            await withdrawal.execute(delete(Drawing).where(Drawing.session_id == alice))
            await importer.execute(insert(ContributorSession), [writer])
            # With upserted counters this waited for the withdrawal's drawing_days row (today, circle).
            storing = asyncio.ensure_future(importer.execute(insert(Drawing), [imported]))
            await asyncio.sleep(0.5)
            try:
                await withdrawal.execute(text("DELETE FROM contributor_sessions WHERE id = :id"), {"id": alice})
                await withdrawal.commit()
            except Exception as error:  # noqa: BLE001 - the deadlock is the finding
                failures.append(error)
                await withdrawal.rollback()
            try:
                await storing
                await importer.commit()
            except Exception as error:  # noqa: BLE001
                failures.append(error)
                await importer.rollback()
        finally:
            for connection in (withdrawal, importer):
                if connection.in_transaction():
                    await connection.rollback()

    assert [str(error).splitlines()[0] for error in failures] == []
    assert await drift(stack) == []


# --- folding (PostgreSQL) -----------------------------------------------------------------


async def test_folding_while_drawings_arrive_keeps_every_count_and_shrinks_the_tables(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    """PostgreSQL's triggers append a row per change; the worker folds each key's rows into
    one. Folds running between and during submissions and flags change no count."""
    if stack.mode == "embedded":
        pytest.skip("SQLite's triggers upsert one row per key: there is nothing to fold")
    rng = random.Random(11)
    people = [uuid.uuid4().hex for _ in range(4)]
    shapes = ["circle", "square", "star"]
    drawn = [await _submit(admin_client, rng, rng.choice(shapes), rng.choice(people)) for _ in range(8)]
    rows_before = await _scalar(stack, "SELECT count(*) FROM drawing_tallies")
    assert rows_before > len((await recount(stack)).tally_keys())  # deltas, not yet folded

    async def fold_repeatedly() -> int:
        folded = 0
        for _ in range(6):
            folded += await stack.stores.db.run(tallies.fold)
            await asyncio.sleep(0.01)
        return folded

    submissions = [_submit(admin_client, rng, rng.choice(shapes), rng.choice(people)) for _ in range(12)]
    results = await asyncio.gather(fold_repeatedly(), *submissions,
                                   admin_client.post(f"/api/admin/drawings/{drawn[0]}/flag", json={"reason": "x"}))
    assert results[0] > 0
    assert await drift(stack) == []
    assert stats_mismatches(await stats(admin_client), await recount(stack)) == []

    await stack.stores.db.run(tallies.fold)
    keys = len((await recount(stack)).tally_keys())
    assert await _scalar(stack, "SELECT count(*) FROM drawing_tallies") == keys
    assert await _scalar(stack, "SELECT count(*) FROM collection_counts") == 1
    assert await drift(stack) == []


@pytest.mark.settings(count_fold_interval_s=0.2)
async def test_a_running_worker_folds_the_counts(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    if stack.mode == "embedded":
        pytest.skip("SQLite's triggers upsert one row per key: there is nothing to fold")
    rng = random.Random(5)
    for _ in range(6):
        await _submit(admin_client, rng, "circle", uuid.uuid4().hex)
    assert await _scalar(stack, "SELECT count(*) FROM collection_counts") > 1

    async def folded() -> bool:
        return await _scalar(stack, "SELECT count(*) FROM collection_counts") == 1

    async with _worker(stack):
        await eventually(folded, "the worker folds the session count into one row", within_s=JOB_DEADLINE_S,
                         interval_s=0.1)
    assert await drift(stack) == []
    assert (await stats(admin_client))["contributorSessions"] == 6
