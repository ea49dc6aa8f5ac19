"""The kept counts' upkeep: `crowdsketch doctor` finding counts changed behind the triggers'
back and recounting them (API and command line), two multi-statement transactions that
deadlocked on upserted counter rows, and PostgreSQL's folding of appended rows, by hand and
by a running worker. tests/api/test_kept_counts.py holds the property test."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, insert, text
from typer.testing import CliRunner

from crowdsketch.cli import app
from crowdsketch.common import tallies
from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.doctor import Kind, Outcome, diagnose, repair
from tests.api.admin.seed import drawing_row
from tests.api.admin.test_eval_sets import _worker
from tests.support.kept_counts import (
    drift,
    execute_sql,
    list_total,
    recount,
    scalar_sql,
    stats,
    stats_mismatches,
    submit_drawing,
)
from tests.support.stacks import Stack, copy_sqlite_template
from tests.support.waiting import JOB_DEADLINE_S, eventually

NO_GRACE = 0.0
# Concurrent writers and appended rows are PostgreSQL's: SQLite has one writer at a time and
# its triggers upsert one row per key, so these run on the distributed stack alone.
POSTGRESQL_ONLY = pytest.mark.parametrize("stack", ["distributed"], indirect=True)


# --- drift behind the triggers' back, and the doctor ------------------------------------


async def test_the_doctor_finds_counts_changed_behind_the_triggers_back_and_recounts_them(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    rng = random.Random(7)
    alice, bob = uuid.uuid4().hex, uuid.uuid4().hex
    drawn = [await submit_drawing(admin_client, rng, shape, who, device)
             for shape, who, device in [("circle", alice, "mouse"), ("circle", bob, "touch"),
                                        ("square", alice, "pen"), ("line", bob, "mouse")]]
    await admin_client.post(f"/api/admin/drawings/{drawn[0]}/flag", json={"reason": "a scribble"})
    counted = await recount(stack)
    assert stats_mismatches(await stats(admin_client), counted) == []
    assert (await diagnose(stack.stores, NO_GRACE)).healthy

    # Every circle row, including any the flag left at 0. PostgreSQL keeps deltas (a key may
    # have several rows until the worker folds them), SQLite one row per key.
    circle_groups = await scalar_sql(stack, "SELECT count(*) FROM drawing_tallies WHERE shape_id = 'circle'")
    circle_keys = await scalar_sql(stack, "SELECT count(*) FROM (SELECT DISTINCT shape_id, source, device, flagged, "
                                       "quality_bin FROM drawing_tallies WHERE shape_id = 'circle') AS k")
    assert circle_groups >= circle_keys >= len(counted.tally_keys(shape_id="circle")) >= 2
    await execute_sql(
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
    await submit_drawing(admin_client, rng, "star", alice, "pen")
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


@POSTGRESQL_ONLY
async def test_a_withdrawal_and_an_import_naming_a_new_writer_at_the_same_moment_do_not_deadlock(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    """The two transactions as crowdsketch/datasets/withdrawal.py (`_delete_rows`) and
    CollectionService.store_drawings (an import) run them, statement by statement,
    interleaved on two connections: a contributor who drew a circle today withdraws while an
    import stores a circle by a writer the file names for the first time. Counter rows that
    were upserted made these two deadlock (each took the rows the other then wanted, in the
    opposite order); appended deltas lock no shared row."""
    alice = uuid.uuid4().hex
    await submit_drawing(client, random.Random(3), "circle", alice)
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


@POSTGRESQL_ONLY
async def test_folding_while_drawings_arrive_keeps_every_count_and_shrinks_the_tables(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    """PostgreSQL's triggers append a row per change; the worker folds each key's rows into
    one. Folds running between and during submissions and flags change no count."""
    rng = random.Random(11)
    people = [uuid.uuid4().hex for _ in range(4)]
    shapes = ["circle", "square", "star"]
    drawn = [await submit_drawing(admin_client, rng, rng.choice(shapes), rng.choice(people)) for _ in range(8)]
    rows_before = await scalar_sql(stack, "SELECT count(*) FROM drawing_tallies")
    assert rows_before > len((await recount(stack)).tally_keys())  # deltas, not yet folded

    async def fold_repeatedly() -> int:
        folded = 0
        for _ in range(6):
            folded += await stack.stores.db.run(tallies.fold)
            await asyncio.sleep(0.01)
        return folded

    submissions = [submit_drawing(admin_client, rng, rng.choice(shapes), rng.choice(people)) for _ in range(12)]
    results = await asyncio.gather(fold_repeatedly(), *submissions,
                                   admin_client.post(f"/api/admin/drawings/{drawn[0]}/flag", json={"reason": "x"}))
    assert results[0] > 0
    assert await drift(stack) == []
    assert stats_mismatches(await stats(admin_client), await recount(stack)) == []

    await stack.stores.db.run(tallies.fold)
    keys = len((await recount(stack)).tally_keys())
    assert await scalar_sql(stack, "SELECT count(*) FROM drawing_tallies") == keys
    assert await scalar_sql(stack, "SELECT count(*) FROM collection_counts") == 1
    assert await drift(stack) == []


@POSTGRESQL_ONLY
@pytest.mark.settings(count_fold_interval_s=0.2)
async def test_a_running_worker_folds_the_counts(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rng = random.Random(5)
    for _ in range(6):
        await submit_drawing(admin_client, rng, "circle", uuid.uuid4().hex)
    assert await scalar_sql(stack, "SELECT count(*) FROM collection_counts") > 1

    async def folded() -> bool:
        return await scalar_sql(stack, "SELECT count(*) FROM collection_counts") == 1

    async with _worker(stack):
        await eventually(folded, "the worker folds the session count into one row", within_s=JOB_DEADLINE_S,
                         interval_s=0.1)
    assert await drift(stack) == []
    assert (await stats(admin_client))["contributorSessions"] == 6
