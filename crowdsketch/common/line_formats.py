"""The two line formats of export and import, one drawing a line (JSON Lines):

- `ndjson`, the project's own: `{"label", "strokes": [[[x, y, t], ...], ...], "canvas",
  "duration_ms", "device", "id", "source", "quality", "created_at"}`; on import only
  `label` and `strokes` are required, and `source` and `created_at` are kept when given
  (an export re-imported elsewhere stays what it was: synthetic drawings stay synthetic),
  and so is `licence`, what the drawing may be published under, when a line has one.
- `quickdraw`, Quick, Draw!'s raw format: `{"word", "countrycode", "timestamp",
  "recognized", "key_id", "drawing": [[[x, ...], [y, ...], [t, ...]], ...]}` (a stroke
  without its `t` array, as in the simplified dataset, gets t = 0 throughout).

A line is checked with the game's rules. What a file may leave out is derived from the ink:
the canvas spans it from the origin, the duration is the last `t`, the device is a mouse.
Coordinates are never rescaled, so strokes survive export and import unchanged.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson
import pydantic

from crowdsketch.common.shapes import CatalogShape
from crowdsketch.errors import ValidationError
from crowdsketch.strokes import MAX_CANVAS_PX, StrokeData, check_stroke_rules

ExportFormat = Literal["ndjson", "quickdraw"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("ndjson", "quickdraw")


class LineError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# A contributor named in a file: the game's session ids, and writer ids such as "s02".
CONTRIBUTOR_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
# A drawing's own source (`game`, `synthetic`, ...), and an import's.
SOURCE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")
LICENCE_MAX = 80
# A `created_at` this far ahead of our clock is another machine's clock, not the future.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ParsedLine:
    data: StrokeData
    shape: CatalogShape
    content_hash: str
    # Who drew it, when the file says (`sessionId`, or a writer's `subject`); None otherwise.
    contributor: str | None = None
    # Where and when it was made, when the file says (an export of this project does):
    # kept, so that synthetic drawings stay synthetic wherever they are imported.
    source: str | None = None
    created_at: datetime | None = None
    # What the drawing may be published under, when the file says (`licence`).
    licence: str | None = None


async def lines_from_chunks(chunks: AsyncIterator[bytes], max_line_bytes: int) -> AsyncIterator[bytes]:
    """Split a byte stream into lines, whatever the chunks' boundaries. A line longer than
    `max_line_bytes` is not kept whole: its first `max_line_bytes + 1` bytes stand for it,
    so that it is reported, not buffered."""
    buffer = bytearray()
    overflowing = False
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            if not overflowing:
                buffer += chunk[start:end]
            yield _cut(buffer, max_line_bytes)
            buffer.clear()
            overflowing = False
            start = end + 1
        if not overflowing:
            buffer += chunk[start:]
            if len(buffer) > max_line_bytes:
                del buffer[max_line_bytes + 1:]
                overflowing = True
    if buffer:
        yield _cut(buffer, max_line_bytes)


def _cut(buffer: bytearray, max_line_bytes: int) -> bytes:
    return bytes(buffer[: max_line_bytes + 1]).removesuffix(b"\r")


def parse_line(raw: bytes, shapes: Mapping[str, CatalogShape], max_line_bytes: int) -> ParsedLine:
    """One line to a validated drawing, or `LineError` naming the field at fault."""
    if len(raw) > max_line_bytes:
        raise LineError("line", f"longer than {max_line_bytes} bytes")
    document = _load_json(raw)
    if not isinstance(document, dict):
        raise LineError("line", "expected a JSON object")
    if "drawing" in document:
        label_field, quickdraw = "word", True
        strokes = _strokes_from_quickdraw(document["drawing"])
    elif "strokes" in document:
        label_field, quickdraw = "label", False
        strokes = document["strokes"]
    else:
        raise LineError("line", "no `strokes` (ndjson) or `drawing` (Quick, Draw!) key")
    label = document.get(label_field)
    shape = shapes.get(label) if isinstance(label, str) else None
    if shape is None:
        raise LineError(label_field, f"unknown shape {label!r}" if label is not None else "missing")
    canvas, duration_ms = _derived(strokes)
    values = {
        "canvas": canvas if quickdraw or document.get("canvas") is None else document["canvas"],
        "strokes": strokes,
        "duration_ms": duration_ms if quickdraw or document.get("duration_ms") is None else document["duration_ms"],
        "device": "mouse" if quickdraw or document.get("device") is None else document["device"],
    }
    try:
        data = StrokeData.model_validate(values)
        check_stroke_rules(data, prefix="line")
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        raise LineError(_field(_path(first["loc"]), quickdraw), first["msg"]) from None
    except ValidationError as exc:
        first = (exc.details or [{"field": "line.strokes", "message": exc.message}])[0]
        raise LineError(_field(first["field"].removeprefix("line."), quickdraw), first["message"]) from None
    if quickdraw:
        return ParsedLine(data, shape, data.content_hash(), _contributor(document))
    return ParsedLine(data, shape, data.content_hash(), _contributor(document), _source(document),
                      _created_at(document), _licence(document))


def _licence(document: dict[str, Any]) -> str | None:
    value = document.get("licence")
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value.strip()) <= LICENCE_MAX:
        raise LineError("licence", f"a licence name of 1-{LICENCE_MAX} characters, e.g. \"CC BY 4.0\"")
    return value.strip()



def _source(document: dict[str, Any]) -> str | None:
    """The line's source when it names one the way the platform does (`synthetic`, `game`);
    anything else there (a file path, a dataset's provenance note) is not ours to keep."""
    value = document.get("source")
    return value if isinstance(value, str) and SOURCE_PATTERN.match(value) else None


def _created_at(document: dict[str, Any]) -> datetime | None:
    value = document.get("created_at")
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        raise LineError("created_at", "an ISO 8601 date and time, e.g. 2026-12-05T18:42:00Z")
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when > datetime.now(UTC) + CLOCK_SKEW:
        raise LineError("created_at", "in the future")
    return when


def _contributor(document: dict[str, Any]) -> str | None:
    for key in ("sessionId", "subject"):
        value = document.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not CONTRIBUTOR_PATTERN.match(value):
            raise LineError(key, "1-40 letters, digits, '.', '_' or '-'")
        return value
    return None


def _load_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as strict_error:
        # NaN and Infinity are not JSON, but some writers emit them: read them, so that the
        # error names the point at fault instead of the whole line.
        try:
            return json.loads(raw)
        except ValueError:
            raise LineError("line", f"not JSON (each line is one JSON object): {strict_error}") from None


def _strokes_from_quickdraw(drawing: Any) -> list[list[list[Any]]]:
    if not isinstance(drawing, list):
        raise LineError("drawing", "expected a list of strokes")
    strokes = []
    for s, arrays in enumerate(drawing):
        if not isinstance(arrays, list) or len(arrays) not in (2, 3) or not all(isinstance(a, list) for a in arrays):
            raise LineError(f"drawing[{s}]", "expected [[x, ...], [y, ...], [t, ...]]")
        if len({len(a) for a in arrays}) != 1:
            raise LineError(f"drawing[{s}]", "the x, y and t arrays differ in length")
        ts = arrays[2] if len(arrays) == 3 else [0] * len(arrays[0])
        strokes.append([[x, y, t] for x, y, t in zip(arrays[0], arrays[1], ts, strict=True)])
    return strokes


def _derived(strokes: Any) -> tuple[dict[str, int], int]:
    """The canvas from the origin to the ink's far corner, and the last `t`; from whatever
    points are well formed (the others fail validation with their own message)."""
    max_x = max_y = max_t = 0.0
    for stroke in strokes if isinstance(strokes, list) else ():
        for point in stroke if isinstance(stroke, list) else ():
            if isinstance(point, list) and len(point) == 3 and all(_finite(v) for v in point):
                max_x, max_y, max_t = max(max_x, point[0]), max(max_y, point[1]), max(max_t, point[2])
    return {"width": _canvas_side(max_x), "height": _canvas_side(max_y)}, math.ceil(max_t)


def _canvas_side(extent: float) -> int:
    return min(MAX_CANVAS_PX, max(1, math.ceil(extent) + 1))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).removeprefix(".")


_QUICKDRAW_FIELDS = (
    (re.compile(r"^strokes\[(\d+)\]\[(\d+)\]\[(\d+)\]"), r"drawing[\1][\3][\2]"),
    (re.compile(r"^strokes\[(\d+)\](\[\d+\])?"), r"drawing[\1]"),
    (re.compile(r"^strokes"), "drawing"),
)


def _field(path: str, quickdraw: bool) -> str:
    """A Quick, Draw! line's point is `drawing[stroke][axis][index]`, not `[stroke][index][axis]`."""
    if quickdraw:
        for pattern, replacement in _QUICKDRAW_FIELDS:
            path, count = pattern.subn(replacement, path)
            if count:
                break
    return path


def render_line(export_format: ExportFormat, row: Any, stored: dict[str, Any]) -> bytes:
    """A stored drawing (its row and its blob's JSON) as one line of the format."""
    strokes = [[[_number(v) for v in point] for point in stroke] for stroke in stored["strokes"]]
    if export_format == "quickdraw":
        document: dict[str, Any] = {
            "word": row.shape_id,
            "countrycode": "ZZ",
            "timestamp": row.created_at.strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
            "recognized": True,
            "key_id": str(row.id),
            "drawing": [[list(axis) for axis in zip(*stroke, strict=True)] for stroke in strokes],
        }
    else:
        document = {
            "label": row.shape_id,
            "strokes": strokes,
            "canvas": stored["canvas"],
            "duration_ms": stored["duration_ms"],
            "device": stored["device"],
            "id": str(row.id),
            "source": row.source,
            "quality": row.quality_score,
            "created_at": row.created_at,
        }
        if getattr(row, "licence", None):
            document["licence"] = row.licence
    return orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE)


def _number(value: float) -> float | int:
    """635.0 is written 635, as the game's and Quick, Draw!'s files have it; both read back
    as the same float, so the content hash does not change."""
    if type(value) is not float or not value.is_integer() or abs(value) >= 2**53:
        return value
    negative_zero = value == 0 and math.copysign(1.0, value) < 0
    return value if negative_zero else int(value)
