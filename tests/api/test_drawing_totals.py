"""The drawing list's `total` (crowdsketch/admin/drawing_totals.py), on both stacks: exact
from the kept counts where they answer the filter, exact from a bounded count where few
drawings match a filter they cannot answer, and an estimate, said to be one, where many do.

Where the exact count's limit matters, the stack's `exact_count_limit` (CROWDSKETCH_EXACT_COUNT_LIMIT)
is set down to a few drawings. With the limit at 3, a filter that more than 3 drawings match can
only be answered exactly (`totalIsEstimate: false`) by the counts: the bounded count stops at 4."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from tests.api.admin.seed import drawing_row, insert_drawings
from tests.support.kept_counts import Row, drift, list_total
from tests.support.stacks import Stack

SMALL_LIMIT = 3


Seeded = Row  # a seeded drawing, as the recount reads one


def _days() -> tuple[date, date, date]:
    today = datetime.now(UTC).date()
    return today - timedelta(days=5), today - timedelta(days=4), today - timedelta(days=2)


def _at(day: date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=UTC)


def _midnight(day: date) -> str:
    return _at(day, 0).isoformat()


async def _seed(stack: Stack) -> list[Seeded]:
    """21 drawings: quality scores on and around the bin edges (0.5, 0.55, 1.0...), times
    on and around UTC midnight, three sources, three devices, some flagged, five writers."""
    d1, d2, d3 = _days()
    spec = [
        ("circle", "game", "mouse", False, 0.5, _at(d1), "alice"),
        ("circle", "game", "mouse", False, 0.499, _at(d1, 0), "alice"),
        ("circle", "game", "touch", True, 0.55, _at(d1, 23, 59, 59, 999_999), "alice"),
        ("circle", "game", "pen", False, 0.9, _at(d2, 0), "bob"),
        ("circle", "import", "touch", False, 0.1, _at(d2, 8), None),
        ("circle", "import", "touch", True, 0.6, _at(d3), None),
        ("circle", "game", "mouse", False, 1.0, _at(d3, 13), "bob"),
        ("square", "game", "mouse", False, 0.549, _at(d1), "carol"),
        ("square", "game", "mouse", False, 0.551, _at(d2), "carol"),
        ("square", "import", "touch", False, 0.55, _at(d2, 0), None),
        ("square", "import", "pen", True, 0.7, _at(d3, 6), None),
        ("square", "game", "touch", False, 0.3, _at(d3), "carol"),
        ("square", "game", "pen", False, 0.75, _at(d3, 18), "alice"),
        ("line", "game", "mouse", False, 0.0, _at(d1), "dave"),
        ("line", "game", "mouse", False, 0.56, _at(d2), "dave"),
        ("line", "dollar", "pen", False, 0.8, _at(d2), None),
        ("line", "dollar", "pen", False, 0.95, _at(d3), None),
        ("line", "game", "touch", True, 0.45, _at(d3, 23), "dave"),
        ("star", "game", "mouse", False, 0.65, _at(d1), "erin"),
        ("star", "game", "mouse", False, 0.2, _at(d2), "erin"),
        ("star", "game", "pen", False, 0.58, _at(d3), "erin"),
    ]
    rows = [
        drawing_row(shape_id=shape, source=source, device=device, flagged=flagged,
                    flag_reason="spam" if flagged else None, quality_score=quality, created_at=created,
                    session_id=session_id)
        for shape, source, device, flagged, quality, created, session_id in spec
    ]
    await insert_drawings(stack, rows, blobs=False)
    assert await drift(stack) == []
    return [Seeded(str(r["id"]), r["shape_id"], r["source"], r["device"], r["flagged"], r["quality_score"],
                   r["created_at"], r["session_id"]) for r in rows]


Case = tuple[dict[str, Any], Callable[[Seeded], bool]]

async def _not_exact(client: httpx.AsyncClient, seeded: list[Seeded], cases: list[Case]) -> list[str]:
    """The cases whose total is not the exact count (`totalIsEstimate` false) or whose page is
    not exactly the matching drawings."""
    wrong = []
    for params, matches in cases:
        expected = sorted(d.id for d in seeded if matches(d))
        total, estimated, items = await list_total(client, limit=200, **params)
        if (total, estimated, sorted(i["id"] for i in items)) != (len(expected), False, expected):
            wrong.append(f"{params}: total {total} (estimate: {estimated}), {len(items)} items; {len(expected)} match")
    return wrong



def _cases_the_counts_answer() -> list[Case]:
    d1, d2, d3 = _days()
    return [
        ({"shape": "circle"}, lambda d: d.shape_id == "circle"),
        ({"shape": "circle,square"}, lambda d: d.shape_id in {"circle", "square"}),
        ({"source": "game"}, lambda d: d.source == "game"),
        ({"source": "import", "device": "touch"}, lambda d: (d.source, d.device) == ("import", "touch")),
        ({"device": "mouse", "flagged": "false"}, lambda d: d.device == "mouse" and not d.flagged),
        ({"flagged": "true"}, lambda d: d.flagged),
        ({"flagged": "false", "shape": "line"}, lambda d: not d.flagged and d.shape_id == "line"),
        ({"minQuality": 0.5}, lambda d: d.quality_score >= 0.5),
        ({"minQuality": 0.5, "maxQuality": 1}, lambda d: d.quality_score >= 0.5),
        ({"minQuality": 0.5, "shape": "circle"}, lambda d: d.quality_score >= 0.5 and d.shape_id == "circle"),
        ({"minQuality": 0.3, "source": "game", "flagged": "false"},
         lambda d: d.quality_score >= 0.3 and d.source == "game" and not d.flagged),
        ({"minQuality": 0}, lambda d: True),
        ({"minQuality": 0.9}, lambda d: d.quality_score >= 0.9),
        # Whole UTC days, of some shapes or of all.
        ({"shape": "circle", "createdFrom": _midnight(d1), "createdTo": _midnight(d3)},
         lambda d: d.shape_id == "circle" and d1 <= d.created_at.date() < d3),
        ({"createdFrom": _midnight(d2)}, lambda d: d.created_at.date() >= d2),
        ({"createdTo": _midnight(d2), "shape": "square,line"},
         lambda d: d.created_at.date() < d2 and d.shape_id in {"square", "line"}),
        ({"createdFrom": _midnight(d2), "createdTo": _midnight(d2)}, lambda d: False),
    ]


@pytest.mark.settings(exact_count_limit=SMALL_LIMIT)
async def test_the_counts_answer_shape_source_device_flag_a_quality_edge_and_whole_days_exactly(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    seeded = await _seed(stack)
    assert await _not_exact(admin_client, seeded, _cases_the_counts_answer()) == []
    # Most of these match more drawings than the bounded count would count.
    assert sum(len([d for d in seeded if m(d)]) > SMALL_LIMIT for _, m in _cases_the_counts_answer()) >= 12


async def test_a_filter_the_counts_cannot_answer_is_counted_exactly_when_few_match(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    seeded = await _seed(stack)
    d1, d2, d3 = _days()
    cases: list[Case] = [
        ({"maxQuality": 0.55}, lambda d: d.quality_score <= 0.55),
        ({"minQuality": 0.55}, lambda d: d.quality_score >= 0.55),
        ({"minQuality": 0.55, "maxQuality": 0.9}, lambda d: 0.55 <= d.quality_score <= 0.9),
        ({"minQuality": 0.5, "maxQuality": 0.55, "shape": "circle,square"},
         lambda d: 0.5 <= d.quality_score <= 0.55 and d.shape_id in {"circle", "square"}),
        ({"sessionId": "alice"}, lambda d: d.session_id == "alice"),
        ({"sessionId": "alice", "shape": "circle", "minQuality": 0.5},
         lambda d: d.session_id == "alice" and d.shape_id == "circle" and d.quality_score >= 0.5),
        # Ranges not on UTC midnight.
        ({"createdFrom": _at(d1, 12).isoformat()}, lambda d: d.created_at >= _at(d1, 12)),
        ({"shape": "circle", "createdFrom": _at(d1, 0, 0, 0, 1).isoformat(), "createdTo": _at(d3, 13).isoformat()},
         lambda d: d.shape_id == "circle" and _at(d1, 0, 0, 0, 1) <= d.created_at < _at(d3, 13)),
        # Midnight where the zone is, not in UTC.
        ({"createdFrom": f"{d2.isoformat()}T00:00:00+02:00"}, lambda d: d.created_at >= _at(d2, 0) - timedelta(hours=2)),
        # Whole days, but with a filter other than shapes.
        ({"createdFrom": _midnight(d2), "flagged": "true"}, lambda d: d.created_at.date() >= d2 and d.flagged),
        ({"createdFrom": _midnight(d1), "createdTo": _midnight(d2), "minQuality": 0.5},
         lambda d: d.created_at.date() == d1 and d.quality_score >= 0.5),
        ({"createdFrom": _midnight(d3), "device": "pen", "shape": "line"},
         lambda d: d.created_at.date() >= d3 and d.device == "pen" and d.shape_id == "line"),
    ]
    assert await _not_exact(admin_client, seeded, cases) == []


@pytest.mark.settings(exact_count_limit=SMALL_LIMIT)
async def test_a_broad_filter_the_counts_cannot_answer_gets_an_estimate_said_to_be_one(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    seeded = await _seed(stack)
    d1, _, _ = _days()
    # (The same filters with the default limit are counted: the test above.)
    cases: list[Case] = [
        ({"minQuality": 0.55}, lambda d: d.quality_score >= 0.55),
        ({"maxQuality": 0.6}, lambda d: d.quality_score <= 0.6),
        ({"sessionId": "alice"}, lambda d: d.session_id == "alice"),
        ({"createdFrom": _at(d1, 6).isoformat()}, lambda d: d.created_at >= _at(d1, 6)),
        ({"createdFrom": _midnight(d1), "source": "game"}, lambda d: d.created_at.date() >= d1 and d.source == "game"),
    ]
    for params, matches in cases:
        expected = sorted(d.id for d in seeded if matches(d))
        assert len(expected) > SMALL_LIMIT, params
        total, estimated, items = await list_total(admin_client, limit=50, **params)
        assert estimated is True, (params, total)
        # An estimate, but a plausible one: more than the bounded count found room for, at
        # most the whole collection.
        assert SMALL_LIMIT < total <= len(seeded), (params, total)
        assert sorted(i["id"] for i in items) == expected, params
        # The page and its cursor are unaffected.
        first, _, page = await list_total(admin_client, limit=2, **params)
        assert len(page) == 2 and first == total

    # Few matches: still exact, by the bounded count.
    for params, matches in [({"maxQuality": 0.2}, lambda d: d.quality_score <= 0.2),
                            ({"sessionId": "erin"}, lambda d: d.session_id == "erin"),
                            ({"minQuality": 0.9, "maxQuality": 0.99}, lambda d: 0.9 <= d.quality_score <= 0.99)]:
        expected = [d for d in seeded if matches(d)]
        assert len(expected) <= SMALL_LIMIT, params
        total, estimated, _ = await list_total(admin_client, limit=1, **params)
        assert (total, estimated) == (len(expected), False), params


async def test_the_totals_follow_the_drawings_as_they_are_curated(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    """Flag, relabel and delete change what the counts answer, at once."""
    seeded = await _seed(stack)
    circle = [d for d in seeded if d.shape_id == "circle" and not d.flagged]
    assert (await list_total(admin_client, shape="circle", flagged="false"))[:2] == (len(circle), False)

    assert (await admin_client.post(f"/api/admin/drawings/{circle[0].id}/flag", json={"reason": "x"})).status_code == 200
    relabel = await admin_client.post(f"/api/admin/review/{circle[1].id}", json={"action": "relabel", "shapeId": "star"})
    assert relabel.status_code == 200, relabel.text
    assert (await admin_client.delete(f"/api/admin/drawings/{circle[2].id}")).status_code == 204

    assert (await list_total(admin_client, shape="circle", flagged="false"))[:2] == (len(circle) - 3, False)
    assert (await list_total(admin_client, shape="circle"))[:2] == (7 - 2, False)
    assert (await list_total(admin_client, shape="star"))[:2] == (4, False)
    assert (await list_total(admin_client, flagged="true"))[:2] == (len([d for d in seeded if d.flagged]) + 1, False)
    assert await drift(stack) == []


async def test_a_minimum_quality_of_one_counts_the_perfect_drawings(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    """minQuality=1 is the top bin edge: the drawings scored exactly 1.0 match it (the
    filter is inclusive), and they are counted in the top bin, whose lower edge is 0.9."""
    seeded = await _seed(stack)
    perfect = [d.id for d in seeded if d.quality_score >= 1.0]
    assert len(perfect) == 1

    total, estimated, items = await list_total(admin_client, minQuality=1, limit=50)

    assert [i["id"] for i in items] == perfect
    assert (total, estimated) == (len(perfect), False)
