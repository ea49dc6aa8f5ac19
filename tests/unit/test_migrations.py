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


BEFORE_VERIFICATION = "c9bcf5a85f9e"


def test_game_drawings_already_stored_get_their_verification_task(tmp_path: Path) -> None:
    path = tmp_path / "crowdsketch.db"
    in_thread(upgrade, f"sqlite+aiosqlite:///{path}", BEFORE_VERIFICATION)
    drawings = {"game": uuid.uuid4().hex, "synthetic": uuid.uuid4().hex}
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO contributor_sessions (id, created_at, last_seen_at, drawing_count, today, today_count)"
            " VALUES ('s1', '2026-01-01 10:00:00.000000', '2026-01-01 10:00:00.000000', 1, '2026-01-01', 1)"
        )
        connection.executemany(
            "INSERT INTO drawings (id, session_id, shape_id, blob_key, canvas_width, canvas_height, stroke_count,"
            " point_count, duration_ms, device, quality_score, source, flagged, content_hash, created_at)"
            " VALUES (?, ?, 'star', 'k', 400, 400, 1, 10, 900, 'mouse', 0.9, ?, 0, 'h', '2026-01-01 10:00:00.000000')",
            [(drawings["game"], "s1", "game"), (drawings["synthetic"], None, "synthetic")],
        )

    in_thread(upgrade, f"sqlite+aiosqlite:///{path}")

    with sqlite3.connect(path) as connection:
        tasks = connection.execute(
            "SELECT id, drawing_id, shape_id, session_id, priority, votes FROM verification_tasks"
        ).fetchall()
    [(task_id, drawing_id, shape_id, session_id, priority, votes)] = tasks
    assert (drawing_id, shape_id, session_id, priority, votes) == (drawings["game"], "star", "s1", 0.5, 0)
    assert uuid.UUID(task_id)
