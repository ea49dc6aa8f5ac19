"""Migrations that change data as well as the schema."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from crowdsketch.db.migrate import upgrade
from tests.conftest import in_thread

BEFORE_ONE_UNFINISHED_JOB_PER_CONFIG = "d3370bb7437f"


def test_duplicate_unfinished_jobs_are_cancelled_but_the_furthest_along(tmp_path: Path) -> None:
    path = tmp_path / "crowdsketch.db"
    in_thread(upgrade, f"sqlite+aiosqlite:///{path}", BEFORE_ONE_UNFINISHED_JOB_PER_CONFIG)
    jobs = {  # name: (config hash, status, created at)
        "old pending": ("a" * 16, "pending", "2026-01-01 10:00:00.000000"),
        "running": ("a" * 16, "running", "2026-01-01 11:00:00.000000"),
        "new queued": ("a" * 16, "queued", "2026-01-01 12:00:00.000000"),
        "finished": ("a" * 16, "completed", "2026-01-01 09:00:00.000000"),
        "first queued": ("b" * 16, "queued", "2026-01-01 10:00:00.000000"),
        "second queued": ("b" * 16, "queued", "2026-01-01 10:30:00.000000"),
        "alone": ("c" * 16, "pending", "2026-01-01 10:00:00.000000"),
    }
    ids = {name: uuid.uuid4().hex for name in jobs}
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO training_jobs (id, config, config_hash, status, progress, attempts, created_at)"
            " VALUES (?, '{}', ?, ?, '{}', 0, ?)",
            [(ids[name], *row) for name, row in jobs.items()],
        )

    in_thread(upgrade, f"sqlite+aiosqlite:///{path}")

    with sqlite3.connect(path) as connection:
        rows = dict(connection.execute("SELECT id, status FROM training_jobs"))
        cancelled_at = connection.execute(
            "SELECT COUNT(*) FROM training_jobs WHERE status = 'cancelled' AND finished_at IS NOT NULL"
        ).fetchone()[0]
    assert {name: rows[ids[name]] for name in jobs} == {
        "old pending": "cancelled", "running": "running", "new queued": "cancelled", "finished": "completed",
        "first queued": "queued", "second queued": "cancelled", "alone": "pending",
    }
    assert cancelled_at == 3
