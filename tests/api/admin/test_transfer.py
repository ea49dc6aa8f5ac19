from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import ContributorSession, Drawing, Shape
from tests.conftest import ADMIN_EMAIL
from tests.support.drawings import circle_strokes, drawing_body, submission_headers
from tests.support.eval_sets import eval_file
from tests.support.stacks import Stack

NDJSON = {"Content-Type": "application/x-ndjson"}

# Drawings as the game stores them: decimals, negative and integral coordinates, several strokes.
GAME_DRAWINGS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("circle", circle_strokes(), {}),
    ("square", [[[-5.5, 10.25, 0], [300.125, 10.25, 16], [300.125, 0.30000000000000004, 33.5], [-5.5, 280, 50]]],
     {"device": "pen", "duration_ms": 1234, "canvas": {"width": 320, "height": 300}}),
    ("cross", [[[10, 10, 0], [200, 200, 120]], [[200, 10, 400], [10, 200, 520]]], {"device": "touch"}),
    ("line", [[[1e-7, 2.5e3, 0], [399.99, 0, 7]]], {}),
]


async def _submit(client: httpx.AsyncClient, shape: str, strokes: list[Any], **extra: Any) -> str:
    response = await client.post(
        "/api/drawings", json=drawing_body(shape, strokes, **extra), headers=submission_headers(shape_id=shape)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _import(client: httpx.AsyncClient, body: bytes, **params: str) -> dict[str, Any]:
    response = await client.post("/api/admin/import", content=body, params=params, headers=NDJSON)
    assert response.status_code == 200, response.text
    return response.json()


async def _export(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/admin/export", params=params)
    assert response.status_code == 200, response.text
    return [orjson.loads(line) for line in response.content.splitlines()]


async def _stored(stack: Stack) -> list[tuple[str, bytes, dict[str, Any], str, str | None]]:
    """Every drawing as read back through its blob: (label, strokes JSON, the rest of the
    stroke data, source, session), sorted."""
    resources = stack.stores

    async def rows(session: AsyncSession) -> list[Any]:
        columns = (Drawing.shape_id, Drawing.blob_key, Drawing.source, Drawing.session_id)
        return list((await session.execute(select(*columns))).all())

    stored = []
    for row in await resources.db.run(rows, write=False):
        data = orjson.loads(await resources.blobs.get(row.blob_key))
        strokes = orjson.dumps(data.pop("strokes"))
        stored.append((row.shape_id, strokes, data, row.source, row.session_id))
    return sorted(stored, key=lambda item: (item[0], item[1]))


async def _execute(stack: Stack, statement: Any) -> None:

    async def run(session: AsyncSession) -> None:
        await session.execute(statement)

    await stack.stores.db.run(run)


def _strokes_json(document: dict[str, Any]) -> bytes:
    if "drawing" in document:
        return orjson.dumps([[list(point) for point in zip(*arrays)] for arrays in document["drawing"]])
    return orjson.dumps(document["strokes"])


@pytest.mark.parametrize("export_format", ["ndjson", "quickdraw"])
async def test_an_export_imports_back_with_identical_strokes(
    admin_client: httpx.AsyncClient, stack: Stack, export_format: str
) -> None:
    for shape, strokes, extra in GAME_DRAWINGS:
        await _submit(admin_client, shape, strokes, **extra)
    before = await _stored(stack)
    response = await admin_client.get("/api/admin/export", params={"format": export_format})
    exported = response.content
    assert len(exported.splitlines()) == len(GAME_DRAWINGS)

    await _execute(stack, delete(Drawing))
    summary = await _import(admin_client, exported)

    assert summary == {"lines": 4, "imported": 4, "duplicates": 0, "failed": 0, "errors": []}
    after = await _stored(stack)
    assert [(label, strokes) for label, strokes, *_ in after] == [(label, strokes) for label, strokes, *_ in before]
    # An ndjson line says where it was made, and keeps it; Quick, Draw!'s format does not.
    kept = "game" if export_format == "ndjson" else "import"
    assert {(source, session) for *_, source, session in after} == {(kept, None)}
    if export_format == "ndjson":
        assert [data for _, _, data, *_ in after] == [data for _, _, data, *_ in before]
    again = (await admin_client.get("/api/admin/export", params={"format": export_format})).content
    assert sorted(map(_strokes_json, map(orjson.loads, again.splitlines()))) == sorted(
        map(_strokes_json, map(orjson.loads, exported.splitlines()))
    )


async def test_importing_the_same_file_again_creates_no_duplicates(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    body = b"".join(orjson.dumps({"label": shape, "strokes": strokes}) + b"\n" for shape, strokes, _ in GAME_DRAWINGS)
    twice_in_the_file = body + body.splitlines(keepends=True)[0]

    first = await _import(admin_client, twice_in_the_file)
    second = await _import(admin_client, body)

    assert first == {"lines": 5, "imported": 4, "duplicates": 1, "failed": 0, "errors": []}
    assert second == {"lines": 4, "imported": 0, "duplicates": 4, "failed": 0, "errors": []}
    assert await stack.drawing_rows() == 4
    assert await stack.row_blob_keys() == await stack.drawing_blob_keys()


async def test_a_retired_shape_is_still_a_label_an_import_accepts(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    await _execute(stack, update(Shape).where(Shape.id == "hexagon").values(active=False))
    body = orjson.dumps({"label": "hexagon", "strokes": circle_strokes(points=6)}) + b"\n"

    assert (await _import(admin_client, body))["imported"] == 1
    assert [line["label"] for line in await _export(admin_client)] == ["hexagon"]


async def test_bad_lines_are_reported_by_line_and_field_while_the_good_ones_are_imported(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    crowded = [[[i % 400, i // 400, i] for i in range(5001)] for _ in range(2)]
    lines = [
        orjson.dumps({"label": "circle", "strokes": circle_strokes()}),
        b'{"label": "circle", "strokes": [[[1, 2, 0]',
        b'{"label": "blob", "strokes": [[[1, 2, 0]]]}',
        b'{"label": "circle", "strokes": [[[1, 2, 0], [NaN, 3, 5]]]}',
        b'{"label": "square", "strokes": [[[0, 0, 0], [10, 0, 50], [10, 10, 40]]]}',
        orjson.dumps({"label": "zigzag", "strokes": crowded}),
        b"",
        b'{"word": "line", "countrycode": "ZZ", "drawing": [[[0, 100], [0, 100], [0, 200]]]}',
        b'{"word": "zigzag", "drawing": [[[0, 10, 20], [0, 10, 0], [0, 30, 20]]]}',
        b'{"label": "circle"}',
        b"[1, 2]",
    ]
    summary = await _import(admin_client, b"\n".join(lines) + b"\n")

    assert (summary["lines"], summary["imported"], summary["failed"], summary["duplicates"]) == (10, 2, 8, 0)
    assert [(error["line"], error["field"]) for error in summary["errors"]] == [
        (2, "line"),
        (3, "label"),
        (4, "strokes[0][1][0]"),
        (5, "strokes[0][2][2]"),
        (6, "strokes"),
        (9, "drawing[0][2][2]"),
        (10, "line"),
        (11, "line"),
    ]
    messages = {error["line"]: error["message"] for error in summary["errors"]}
    assert messages[2].startswith("not JSON")
    assert messages[3] == "unknown shape 'blob'"
    assert messages[4] == "Input should be a finite number"
    assert messages[5] == "t went back from 50 to 40 ms within a stroke"
    assert messages[6] == "10002 points in all; at most 10000"
    assert messages[11] == "expected a JSON object"
    [line] = await _export(admin_client, shape="line")
    assert (line["canvas"], line["duration_ms"], line["device"], line["source"]) == (
        {"width": 101, "height": 101}, 200, "mouse", "import"
    )
    assert line["strokes"] == [[[0, 0, 0], [100, 100, 200]]]


async def test_the_quickdraw_sample_imports_every_drawing_with_its_label(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    body = eval_file("quickdraw_sample.jsonl").read_bytes()
    in_file = [orjson.loads(line) for line in body.splitlines()]

    summary = await _import(admin_client, body)

    assert summary == {"lines": 433, "imported": 433, "duplicates": 0, "failed": 0, "errors": []}

    async def counts(session: AsyncSession) -> dict[str, int]:
        rows = await session.execute(select(Drawing.shape_id, func.count()).group_by(Drawing.shape_id))
        return dict(rows.all())

    assert await stack.stores.db.run(counts, write=False) == Counter(d["label"] for d in in_file)
    exported = await _export(admin_client)  # three pages
    assert len({line["id"] for line in exported}) == 433
    assert sorted((d["label"], _strokes_json(d)) for d in exported) == sorted(
        (d["label"], _strokes_json(d)) for d in in_file
    )


async def test_an_import_body_over_1_mib_is_accepted_on_the_import_route_only(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    line = orjson.dumps({"label": "circle", "strokes": circle_strokes()}) + b"\n"
    copies = 1024 * 1024 // len(line) + 10
    body = line * copies

    summary = await _import(admin_client, body)

    assert summary == {"lines": copies, "imported": 1, "duplicates": copies - 1, "failed": 0, "errors": []}
    elsewhere = await admin_client.post("/api/drawings", content=body, headers=submission_headers())
    assert elsewhere.status_code == 413
    assert elsewhere.json()["error"] == "PAYLOAD_TOO_LARGE"


async def test_export_filters_by_shape_source_and_leaves_flagged_drawings_out_unless_asked(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    flagged = await _submit(admin_client, "circle", circle_strokes(r=100))
    kept = await _submit(admin_client, "circle", circle_strokes(r=90))
    await _submit(admin_client, "square", GAME_DRAWINGS[1][1])
    await _execute(stack, update(Drawing).where(Drawing.id == uuid.UUID(flagged)).values(flagged=True, flag_reason="scribble"))

    response = await admin_client.get("/api/admin/export", params={"shape": "circle"})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["content-disposition"].startswith('attachment; filename="crowdsketch-')
    [only] = [orjson.loads(line) for line in response.content.splitlines()]
    assert list(only) == ["label", "strokes", "canvas", "duration_ms", "device", "id", "source", "quality", "created_at",
                          "licence"]
    # A game drawing is published under the operator's licence, which its contributor agreed to.
    assert (only["id"], only["label"], only["source"], only["licence"]) == (kept, "circle", "game", "CC BY 4.0")

    everything = await _export(admin_client, includeFlagged="true", shape=["circle", "square"])
    assert Counter(line["label"] for line in everything) == {"circle": 2, "square": 1}
    assert Counter(line["label"] for line in await _export(admin_client)) == {"circle": 1, "square": 1}
    assert await _export(admin_client, source="import") == []
    [drawing] = await _export(admin_client, format="quickdraw", shape="square")
    assert set(drawing) == {"word", "countrycode", "timestamp", "recognized", "key_id", "drawing"}
    assert (drawing["word"], drawing["recognized"], drawing["drawing"][0][0]) == ("square", True, [-5.5, 300.125, 300.125, -5.5])

    unknown = await admin_client.get("/api/admin/export", params={"shape": "blob"})
    assert unknown.status_code == 400
    assert unknown.json()["details"] == [{"field": "shape", "message": "unknown shape 'blob'"}]


async def test_an_import_is_audited_with_its_counts_and_marks_its_source(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    body = orjson.dumps({"label": "circle", "strokes": circle_strokes()}) + b"\nnot json\n"
    await _import(admin_client, body, source="dollar")

    [entry] = (await admin_client.get("/api/admin/audit", params={"action": "import"})).json()["items"]
    assert entry["adminEmail"] == ADMIN_EMAIL
    assert entry["details"] == {"lines": 2, "imported": 1, "duplicates": 0, "failed": 1, "source": "dollar"}
    assert [line["source"] for line in await _export(admin_client)] == ["dollar"]
    refused = await admin_client.post("/api/admin/import", content=body, params={"source": "Not Valid"}, headers=NDJSON)
    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "source"


async def test_the_writer_a_file_names_becomes_the_drawings_contributor(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    """$1's `subject` (or an export's `sessionId`) is kept as a contributor session of the
    import's source, so that training can hold whole writers out of its validation set."""
    lines = [
        {"label": "circle", "subject": "s02", "strokes": circle_strokes()},
        {"label": "square", "subject": "s02", "strokes": GAME_DRAWINGS[1][1]},
        {"label": "cross", "sessionId": "kiosk-7", "strokes": GAME_DRAWINGS[2][1]},
        {"label": "line", "strokes": GAME_DRAWINGS[3][1]},
        {"label": "line", "subject": 7, "strokes": [[[0, 0, 0], [5, 5, 5]]]},
    ]
    summary = await _import(admin_client, b"\n".join(orjson.dumps(line) for line in lines), source="dollar")

    assert (summary["imported"], summary["failed"]) == (4, 1)
    assert summary["errors"][0]["line"] == 5 and summary["errors"][0]["field"] == "subject"

    async def contributors(session: AsyncSession) -> tuple[Counter[str | None], dict[str, int]]:
        drawn = Counter((await session.execute(select(Drawing.session_id))).scalars())
        counted = dict((await session.execute(select(ContributorSession.id, ContributorSession.drawing_count))).all())
        return drawn, counted

    drawn, counted = await stack.stores.db.run(contributors, write=False)
    assert drawn == Counter({"dollar:s02": 2, "dollar:kiosk-7": 1, None: 1})
    assert counted == {"dollar:s02": 2, "dollar:kiosk-7": 1}
