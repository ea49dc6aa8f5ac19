"""The kept counts: the share of a quality range they answer (exactly on bin edges, in
proportion otherwise), and the migration that made them counting what was already there."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from crowdsketch.common.tallies import Dimensions, Tallies, Tally
from crowdsketch.db.migrate import upgrade
from tests.conftest import in_thread

# 10 drawings in each quality bin of circle/game/mouse, 5 flagged in bin 9; 4 stars by pen.
COLLECTION = Tallies(
    tuple(Tally("circle", "game", "mouse", False, b, 10) for b in range(10))
    + (Tally("circle", "game", "mouse", True, 9, 5), Tally("star", "import", "pen", False, 9, 4))
)


def test_dimension_filters_are_exact_sums() -> None:
    assert COLLECTION.count() == 109
    assert COLLECTION.count(Dimensions(shapes=("star",))) == 4
    assert COLLECTION.count(Dimensions(flagged=True)) == 5
    assert COLLECTION.count(Dimensions(source="game", device="mouse", flagged=False)) == 100
    assert COLLECTION.count(Dimensions(source="game", device="pen")) == 0
    assert COLLECTION.by("device") == {"mouse": 105, "pen": 4}


@pytest.mark.parametrize(
    ("low", "high", "share", "exact"),
    [
        (None, None, 1.0, True),
        (0.5, None, 50 / 100, True),  # bins 5..9 of the 100 circles
        (0.9, 1.0, 10 / 100, True),
        (0.0, 1.0, 1.0, True),
        (0.55, None, 45 / 100, False),  # half of bin 5, then bins 6..9
        (None, 0.25, 25 / 100, False),  # bins 0, 1 and half of 2
        (0.3, 0.3, 0.0, False),  # an empty width: nothing in proportion
    ],
)
def test_a_quality_range_is_exact_on_bin_edges_and_proportional_inside_bins(
    low: float | None, high: float | None, share: float, exact: bool
) -> None:
    got, got_exact = COLLECTION.quality_share(Dimensions(flagged=False, source="game"), low, high)
    assert got == pytest.approx(share)
    assert got_exact is exact


BEFORE_TALLIES = "b2ec99d733d8"


def test_the_migration_counts_the_drawings_and_sessions_already_there(tmp_path: Path) -> None:
    path = tmp_path / "crowdsketch.db"
    in_thread(upgrade, f"sqlite+aiosqlite:///{path}", BEFORE_TALLIES)
    rows = [  # shape, device, quality, flagged, created at
        ("circle", "mouse", 0.95, 0, "2026-01-01 10:00:00.000000"),
        ("circle", "mouse", 0.99, 0, "2026-01-01 23:59:59.999999"),
        ("circle", "pen", 0.15, 1, "2026-01-02 00:00:00.000000"),
        ("star", "touch", 1.0, 0, "2026-01-02 08:00:00.000000"),
    ]
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO contributor_sessions (id, created_at, last_seen_at, drawing_count, today, today_count)"
            " VALUES (?, '2026-01-01 10:00:00.000000', '2026-01-01 10:00:00.000000', 1, '2026-01-01', 1)",
            [("s1",), ("s2",)],
        )
        connection.executemany(
            "INSERT INTO drawings (id, session_id, shape_id, blob_key, canvas_width, canvas_height, stroke_count,"
            " point_count, duration_ms, device, quality_score, source, flagged, content_hash, created_at)"
            " VALUES (?, 's1', ?, 'k', 1, 1, 1, 1, 1, ?, ?, 'game', ?, ?, ?)",
            [(uuid.uuid4().hex, s, d, q, f, uuid.uuid4().hex, at) for s, d, q, f, at in rows],
        )

    in_thread(upgrade, f"sqlite+aiosqlite:///{path}")

    with sqlite3.connect(path) as connection:
        tallies = set(connection.execute("SELECT shape_id, device, flagged, quality_bin, total FROM drawing_tallies"))
        days = set(connection.execute("SELECT day, shape_id, total FROM drawing_days"))
        sessions = connection.execute("SELECT total FROM collection_counts WHERE name = 'contributor_sessions'").fetchone()
        # And the triggers count what comes after.
        connection.execute("UPDATE drawings SET flagged = 1 WHERE shape_id = 'star'")
        connection.execute("DELETE FROM drawings WHERE device = 'pen'")
        after = set(connection.execute("SELECT shape_id, flagged, total FROM drawing_tallies WHERE total <> 0"))
    assert tallies == {("circle", "mouse", 0, 9, 2), ("circle", "pen", 1, 1, 1), ("star", "touch", 0, 9, 1)}
    assert days == {("2026-01-01", "circle", 2), ("2026-01-02", "circle", 1), ("2026-01-02", "star", 1)}
    assert sessions == (2,)
    assert after == {("circle", 0, 2), ("star", 1, 1)}
