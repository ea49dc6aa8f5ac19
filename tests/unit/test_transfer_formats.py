from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from crowdsketch.common.line_formats import LineError, lines_from_chunks, parse_line
from crowdsketch.common.shapes import CatalogShape
from crowdsketch.errors import install_error_handlers
from crowdsketch.middleware import BodySizeLimitMiddleware

SHAPES = {"circle": CatalogShape("circle", "Circle", True, 0), "line": CatalogShape("line", "Line", False, 1)}


async def _chunks(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _lines(*chunks: bytes, max_line_bytes: int = 100) -> list[bytes]:
    return [line async for line in lines_from_chunks(_chunks(*chunks), max_line_bytes)]


async def test_lines_are_whole_whatever_the_chunk_boundaries() -> None:
    text = b'{"a": 1}\r\n{"b": 22}\n\n{"c": 333}'
    for size in (1, 2, 3, 7, len(text)):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert await _lines(*chunks) == [b'{"a": 1}', b'{"b": 22}', b"", b'{"c": 333}']


async def test_a_line_over_the_limit_is_cut_to_one_byte_over_it_and_the_next_line_survives() -> None:
    lines = await _lines(b"x" * 30, b"y" * 30, b"z" * 30 + b"\nok\n", max_line_bytes=40)
    assert lines == [b"x" * 30 + b"y" * 10 + b"y", b"ok"]
    with pytest.raises(LineError) as error:
        parse_line(lines[0], SHAPES, max_line_bytes=40)
    assert (error.value.field, error.value.message) == ("line", "longer than 40 bytes")


def test_a_quickdraw_line_without_times_gets_t_zero_and_a_canvas_around_its_ink() -> None:
    raw = orjson.dumps({"word": "line", "drawing": [[[0, 250.5], [-3, 99]]]})
    parsed = parse_line(raw, SHAPES, max_line_bytes=10_000)
    assert parsed.data.strokes == [[(0.0, -3.0, 0.0), (250.5, 99.0, 0.0)]]
    assert (parsed.data.canvas.width, parsed.data.canvas.height, parsed.data.duration_ms) == (252, 100, 0)
    assert parsed.shape.id == "line"


def test_given_canvas_duration_and_device_are_kept_and_checked() -> None:
    document = {"label": "circle", "strokes": [[[1, 2, 0], [3, 4, 10]]], "canvas": {"width": 640, "height": 480},
                "duration_ms": 15, "device": "pen", "source": "elsewhere", "id": "anything"}
    parsed = parse_line(orjson.dumps(document), SHAPES, max_line_bytes=10_000)
    assert (parsed.data.canvas.width, parsed.data.duration_ms, parsed.data.device) == (640, 15, "pen")
    with pytest.raises(LineError) as error:
        parse_line(orjson.dumps({**document, "device": "stylus"}), SHAPES, max_line_bytes=10_000)
    assert error.value.field == "device"
    with pytest.raises(LineError) as error:
        parse_line(orjson.dumps({"word": "line", "drawing": [[[0, 1], [0]]]}), SHAPES, max_line_bytes=10_000)
    assert (error.value.field, error.value.message) == ("drawing[0]", "the x, y and t arrays differ in length")


def test_a_lines_own_source_and_time_are_kept_and_a_provenance_note_is_not_a_source() -> None:
    base = {"label": "circle", "strokes": [[[1, 2, 0], [3, 4, 10]]]}
    kept = parse_line(orjson.dumps({**base, "source": "synthetic", "created_at": "2026-06-01T12:00:00+02:00"}),
                      SHAPES, max_line_bytes=10_000)
    noted = parse_line(orjson.dumps({**base, "source": "SkxPhan/dollar:s02/arrow01.xml", "created_at": "2026-06-01"}),
                       SHAPES, max_line_bytes=10_000)
    assert kept.source == "synthetic" and kept.created_at is not None
    assert kept.created_at.isoformat() == "2026-06-01T10:00:00+00:00"
    assert noted.source is None and noted.created_at is not None and noted.created_at.isoformat().startswith("2026-06-01")
    for bad in ("yesterday", 12, "2999-01-01T00:00:00Z"):
        with pytest.raises(LineError) as error:
            parse_line(orjson.dumps({**base, "created_at": bad}), SHAPES, max_line_bytes=10_000)
        assert error.value.field == "created_at"


def test_a_line_that_is_not_json_says_so_in_words() -> None:
    with pytest.raises(LineError) as error:
        parse_line(b"nope, not json", SHAPES, max_line_bytes=10_000)
    assert error.value.field == "line"
    assert error.value.message.startswith("not JSON (each line is one JSON object)")


def test_the_same_strokes_hash_alike_in_either_format() -> None:
    ndjson = parse_line(b'{"label": "line", "strokes": [[[0, 1, 0], [2.0, 3, 4]]]}', SHAPES, 10_000)
    quickdraw = parse_line(b'{"word": "line", "drawing": [[[0.0, 2], [1, 3], [0, 4.0]]]}', SHAPES, 10_000)
    assert ndjson.content_hash == quickdraw.content_hash


async def test_the_body_limit_can_be_larger_for_one_exact_path() -> None:
    async def read(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    app = Starlette(routes=[Route("/upload", read, methods=["POST"]), Route("/other", read, methods=["POST"])])
    install_error_handlers(app)  # type: ignore[arg-type]
    limited = BodySizeLimitMiddleware(app, max_bytes=1024, larger_limits={"/upload": 4096})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://test") as client:
        assert (await client.post("/upload", content=b"x" * 4096)).text == "4096"
        assert (await client.post("/upload", content=b"x" * 4097)).status_code == 413
        assert (await client.post("/other", content=b"x" * 1025)).status_code == 413
        assert (await client.post("/upload/", content=b"x" * 1025)).status_code == 413
