"""The statistics match what was stored: totals, per shape, per UTC day, quality bins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.api.admin.seed import drawing_row, insert_drawings
from tests.support.stacks import Stack

DEFAULT_SHAPE_COUNT = 12


def _at(day: date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=UTC)


async def _stats(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/admin/stats")
    assert response.status_code == 200, response.text
    return response.json()


async def test_stats_of_an_empty_collection_are_zero_filled(admin_client: httpx.AsyncClient) -> None:
    today = datetime.now(UTC).date()
    body = await _stats(admin_client)
    assert body["totals"] == {"drawings": 0, "flagged": 0, "unflagged": 0, "flaggedShare": 0.0}
    assert len(body["perShape"]) == DEFAULT_SHAPE_COUNT
    assert all(s["total"] == 0 and s["unflagged"] == 0 and s["active"] for s in body["perShape"])
    assert len(body["perDay"]) == 30 and {d["total"] for d in body["perDay"]} == {0}
    assert body["perDay"][-1]["date"] in {today.isoformat(), (today + timedelta(days=1)).isoformat()}
    assert [b["total"] for b in body["qualityHistogram"]] == [0] * 10
    assert body["contributorSessions"] == 0
    assert body["bySource"] == []
    assert body["byDevice"] == [{"device": d, "total": 0} for d in ("mouse", "touch", "pen")]


async def test_stats_count_what_was_stored(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    today = datetime.now(UTC).date()
    spec: list[dict[str, Any]] = [
        # Quality edges: 0.1 opens bin 1, 0.9 opens bin 9, 1.0 closes bin 9.
        {"quality_score": 0.0, "created_at": _at(today, 0, 0, 0, 0)},
        {"quality_score": 0.099, "created_at": _at(today - timedelta(days=1), 23, 59, 59, 999_999)},
        {"quality_score": 0.1, "created_at": _at(today - timedelta(days=1))},
        {"quality_score": 0.5, "created_at": _at(today - timedelta(days=3)), "shape_id": "square"},
        {"quality_score": 0.5, "created_at": _at(today - timedelta(days=29), 0, 0), "shape_id": "square"},
        {"quality_score": 0.9, "created_at": _at(today - timedelta(days=30), 23, 59), "shape_id": "line"},
        {"quality_score": 0.999, "created_at": _at(today - timedelta(days=45)), "shape_id": "line"},
        {"quality_score": 1.0, "created_at": _at(today - timedelta(days=3)), "shape_id": "line"},
    ]
    extra = [
        {"flagged": True, "flag_reason": "spam", "source": "import", "device": "touch", "session_id": None},
        {"flagged": True, "flag_reason": "spam", "device": "touch", "session_id": "alice"},
        {"session_id": "alice"}, {"session_id": "bob"}, {"source": "import", "session_id": None},
        {"session_id": "bob"}, {"session_id": "carol"}, {"session_id": "carol", "device": "touch"},
    ]
    rows = await insert_drawings(stack, [drawing_row(**a, **b) for a, b in zip(spec, extra, strict=True)], blobs=False)
    deactivated = await admin_client.patch("/api/admin/shapes/star", json={"active": False})
    assert deactivated.status_code == 200

    body = await _stats(admin_client)

    assert body["totals"] == {"drawings": 8, "flagged": 2, "unflagged": 6, "flaggedShare": 0.25}
    per_shape = {s["shape"]: s for s in body["perShape"]}
    assert len(per_shape) == DEFAULT_SHAPE_COUNT
    assert per_shape["circle"] == {"shape": "circle", "name": "Circle", "active": True, "total": 3, "unflagged": 1}
    assert (per_shape["square"]["total"], per_shape["square"]["unflagged"]) == (2, 2)
    assert (per_shape["line"]["total"], per_shape["line"]["unflagged"]) == (3, 3)
    assert per_shape["star"] == {"shape": "star", "name": "Star", "active": False, "total": 0, "unflagged": 0}

    days = [date.fromisoformat(d["date"]) for d in body["perDay"]]
    assert days[-1] in {today, today + timedelta(days=1)}  # the request may run just after midnight
    assert days == [days[-1] - timedelta(days=29 - i) for i in range(30)]
    stored_days = [row["created_at"].date() for row in rows]
    assert {d["date"]: d["total"] for d in body["perDay"]} == {
        day.isoformat(): sum(1 for stored in stored_days if stored == day) for day in days
    }
    if days[-1] == today:
        per_day = {date.fromisoformat(d["date"]): d["total"] for d in body["perDay"]}
        assert per_day[today] == 1 and per_day[today - timedelta(days=1)] == 2
        assert per_day[today - timedelta(days=3)] == 2 and per_day[today - timedelta(days=29)] == 1
        assert sum(per_day.values()) == 6, "the drawings 30 and 45 days old are outside the window"

    histogram = body["qualityHistogram"]
    assert [(b["start"], b["end"]) for b in histogram] == [(i / 10, (i + 1) / 10) for i in range(10)]
    assert [b["total"] for b in histogram] == [2, 1, 0, 0, 0, 2, 0, 0, 0, 3]
    assert body["contributorSessions"] == 3
    assert body["bySource"] == [{"source": "game", "total": 6}, {"source": "import", "total": 2}]
    assert body["byDevice"] == [
        {"device": "mouse", "total": 5}, {"device": "touch", "total": 3}, {"device": "pen", "total": 0}
    ]


async def test_flagging_shows_in_the_totals_at_once(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rows = await insert_drawings(stack, [drawing_row(shape_id="star") for _ in range(4)], blobs=False)
    response = await admin_client.post(f"/api/admin/drawings/{rows[0]['id']}/flag", json={"reason": "not a star"})
    assert response.status_code == 200
    body = await _stats(admin_client)
    assert body["totals"] == {"drawings": 4, "flagged": 1, "unflagged": 3, "flaggedShare": 0.25}
    [star] = [s for s in body["perShape"] if s["shape"] == "star"]
    assert (star["total"], star["unflagged"]) == (4, 3)


@pytest.mark.parametrize("stack", ["distributed"], indirect=True)
async def test_days_are_utc_days_whatever_the_database_time_zone(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    assert stack.resources is not None
    engine = stack.resources.db.engine  # the app's: its pool must take the new zone
    async with engine.connect() as connection:
        name = (await connection.execute(text("SELECT current_database()"))).scalar_one()
        await connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Pacific/Kiritimati'"))
        await connection.commit()
    await engine.dispose()  # new connections take the database's new zone, UTC+14
    async with engine.connect() as connection:
        assert (await connection.execute(text("SHOW timezone"))).scalar_one() == "Pacific/Kiritimati"
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    await insert_drawings(stack, [
        drawing_row(created_at=_at(yesterday, 10)),  # already "today" in UTC+14
        drawing_row(created_at=_at(yesterday, 23, 59)),
        drawing_row(created_at=_at(today, 0, 0)),
    ], blobs=False)

    per_day = {d["date"]: d["total"] for d in (await _stats(admin_client))["perDay"]}

    if max(per_day) == today.isoformat():
        assert (per_day[yesterday.isoformat()], per_day[today.isoformat()]) == (2, 1)
    assert sum(per_day.values()) == 3
