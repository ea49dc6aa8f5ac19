"""Finding drawings: each filter, both sorts in both orders, keyset pages and totals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.admin.seed import drawing_row, ids, insert_drawings
from tests.support.stacks import Stack

BASE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SHAPES = ["circle", "square", "line", "star"]
DEVICES = ["mouse", "touch", "pen"]


def _varied_rows(count: int) -> list[dict[str, Any]]:
    """Rows whose values repeat (many share a time or a score), so ties must be broken."""
    return [
        drawing_row(
            shape_id=SHAPES[i % 4],
            device=DEVICES[i % 3],
            source="import" if i % 5 == 0 else "game",
            quality_score=round((i * 37 % 101) / 100, 2),
            created_at=BASE + timedelta(minutes=i // 4),
            session_id=f"session-{i % 7}",
            flagged=i % 6 == 0,
            flag_reason="scribble" if i % 6 == 0 else None,
        )
        for i in range(count)
    ]


def _expected_order(rows: list[dict[str, Any]], sort: str, order: str) -> list[str]:
    column = "created_at" if sort == "created_at" else "quality_score"
    ordered = sorted(rows, key=lambda row: (row[column], row["id"]), reverse=order == "desc")
    return ids(ordered)


async def _all_pages(client: httpx.AsyncClient, params: dict[str, Any]) -> tuple[list[str], list[int]]:
    seen: list[str] = []
    totals: list[int] = []
    cursor = None
    for _ in range(1000):
        response = await client.get("/api/admin/drawings", params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        totals.append(body["total"])
        cursor = body["nextCursor"]
        if cursor is None:
            return seen, totals
    raise AssertionError("the pages never ended")


async def _listed(client: httpx.AsyncClient, **params: Any) -> tuple[set[str], int]:
    response = await client.get("/api/admin/drawings", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextCursor"] is None
    return {item["id"] for item in body["items"]}, body["total"]


async def test_each_filter_keeps_exactly_the_matching_drawings(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rows = await insert_drawings(stack, _varied_rows(60), blobs=False)

    def matching(predicate) -> set[str]:  # type: ignore[no-untyped-def]
        return {str(row["id"]) for row in rows if predicate(row)}

    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, matching(lambda r: True)),
        ({"shape": "square"}, matching(lambda r: r["shape_id"] == "square")),
        ({"shape": ["square", "line"]}, matching(lambda r: r["shape_id"] in {"square", "line"})),
        ({"shape": "square,line"}, matching(lambda r: r["shape_id"] in {"square", "line"})),
        ({"source": "import"}, matching(lambda r: r["source"] == "import")),
        ({"flagged": "true"}, matching(lambda r: r["flagged"])),
        ({"flagged": "false"}, matching(lambda r: not r["flagged"])),
        ({"minQuality": 0.5}, matching(lambda r: r["quality_score"] >= 0.5)),
        ({"maxQuality": 0.25}, matching(lambda r: r["quality_score"] <= 0.25)),
        ({"minQuality": 0.37, "maxQuality": 0.74}, matching(lambda r: 0.37 <= r["quality_score"] <= 0.74)),
        ({"device": "touch"}, matching(lambda r: r["device"] == "touch")),
        ({"sessionId": "session-3"}, matching(lambda r: r["session_id"] == "session-3")),
        ({"createdFrom": (BASE + timedelta(minutes=5)).isoformat()},
         matching(lambda r: r["created_at"] >= BASE + timedelta(minutes=5))),
        ({"createdTo": (BASE + timedelta(minutes=5)).isoformat()},
         matching(lambda r: r["created_at"] < BASE + timedelta(minutes=5))),
        # Without a zone the time is UTC; in another zone it is converted.
        ({"createdFrom": "2026-06-01T12:03:00", "createdTo": "2026-06-01T14:07:00+02:00"},
         matching(lambda r: BASE + timedelta(minutes=3) <= r["created_at"] < BASE + timedelta(minutes=7))),
        ({"shape": "square", "source": "game", "flagged": "false", "minQuality": 0.3},
         matching(lambda r: r["shape_id"] == "square" and r["source"] == "game" and not r["flagged"]
                  and r["quality_score"] >= 0.3)),
    ]
    for params, expected in cases:
        assert expected or params == {}, f"the case {params} should match something"
        listed, total = await _listed(admin_client, **params)
        assert listed == expected, params
        assert total == len(expected), params


@pytest.mark.parametrize("sort", ["created_at", "quality"])
@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_a_sort_orders_by_its_value_then_by_id(
    admin_client: httpx.AsyncClient, stack: Stack, sort: str, order: str
) -> None:
    rows = await insert_drawings(stack, _varied_rows(40), blobs=False)
    response = await admin_client.get("/api/admin/drawings", params={"sort": sort, "order": order, "limit": 200})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["id"] for item in items] == _expected_order(rows, sort, order)


async def test_the_default_order_is_newest_first(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rows = await insert_drawings(stack, _varied_rows(12), blobs=False)
    body = (await admin_client.get("/api/admin/drawings")).json()
    assert [item["id"] for item in body["items"]] == _expected_order(rows, "created_at", "desc")


async def test_pages_cover_1000_drawings_exactly_once_for_both_sorts(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    rows = await insert_drawings(stack, _varied_rows(1000))
    for sort in ("created_at", "quality"):
        for order in ("desc", "asc"):
            seen, totals = await _all_pages(admin_client, {"sort": sort, "order": order, "limit": 37})
            assert len(seen) == len(set(seen)) == 1000, (sort, order)
            assert seen == _expected_order(rows, sort, order), (sort, order)
            assert set(totals) == {1000}
            assert len(totals) == 28  # 27 full pages of 37 and one of 1


async def test_pages_under_a_filter_cover_the_matching_drawings_and_total_counts_them(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    rows = await insert_drawings(stack, _varied_rows(300), blobs=False)
    matching = [row for row in rows if row["shape_id"] == "star" and row["quality_score"] >= 0.3]
    seen, totals = await _all_pages(
        admin_client, {"shape": "star", "minQuality": 0.3, "sort": "quality", "order": "asc", "limit": 10}
    )
    assert seen == _expected_order(matching, "quality", "asc")
    assert set(totals) == {len(matching)}


async def test_a_page_item_reads_like_the_drawing(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    [row] = await insert_drawings(stack, [drawing_row(
        shape_id="check", session_id="someone", device="pen", quality_score=0.875, source="import",
        flagged=True, flag_reason="not a check mark", created_at=BASE,
    )], blobs=False)
    [item] = (await admin_client.get("/api/admin/drawings")).json()["items"]
    assert item == {
        "id": str(row["id"]),
        "sessionId": "someone",
        "shape": {"id": "check", "name": "Check mark"},
        "canvas": {"width": 400, "height": 400},
        "strokeCount": row["stroke_count"],
        "pointCount": row["point_count"],
        "durationMs": row["duration_ms"],
        "device": "pen",
        "qualityScore": 0.875,
        "source": "import",
        "flagged": True,
        "flagReason": "not a check mark",
        "createdAt": "2026-06-01T12:00:00Z",
        "modelAgreement": None,  # stored without a model's judgement
        "modelShape": None,
        "modelVersion": None,
        "reviewedAt": None,  # no admin has decided on it in Review
    }


async def test_bad_filters_answer_400_naming_the_parameter(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    await insert_drawings(stack, _varied_rows(3), blobs=False)
    quality_page = (await admin_client.get("/api/admin/drawings", params={"sort": "quality", "limit": 1})).json()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"minQuality": 2}, "query.minQuality"),
        ({"maxQuality": "high"}, "query.maxQuality"),
        ({"minQuality": 0.8, "maxQuality": 0.2}, "query.minQuality"),
        ({"flagged": "maybe"}, "query.flagged"),
        ({"device": "stylus"}, "query.device"),
        ({"shape": "unicorn"}, "query.shape"),
        ({"shape": "circle,unicorn"}, "query.shape"),
        ({"sessionId": "no spaces"}, "query.sessionId"),
        ({"source": "x" * 17}, "query.source"),
        ({"createdFrom": "yesterday"}, "query.createdFrom"),
        ({"createdFrom": "2026-06-02T00:00:00Z", "createdTo": "2026-06-01T00:00:00Z"}, "query.createdFrom"),
        ({"sort": "shape"}, "query.sort"),
        ({"order": "up"}, "query.order"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"cursor": quality_page["nextCursor"]}, "query.cursor"),  # a quality cursor, a created_at sort
    ]
    for params, field in cases:
        response = await admin_client.get("/api/admin/drawings", params=params)
        assert response.status_code == 400, (params, response.text)
        body = response.json()
        assert body["error"] == "VALIDATION_ERROR"
        assert field in [detail["field"] for detail in body["details"]], (params, body)


async def test_an_unknown_drawing_id_answers_404_and_a_malformed_one_400(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.get(f"/api/admin/drawings/{uuid.uuid4()}")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "NOT_FOUND"
    assert body["requestId"] == response.headers["X-Request-Id"]
    response = await admin_client.get("/api/admin/drawings/not-a-uuid")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "path.id"
