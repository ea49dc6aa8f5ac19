"""The stroke wire format and its rules.

    {"canvas": {"width": 400, "height": 400},
     "strokes": [[[x, y, t], ...], ...],   # t: ms since the drawing's first point
     "duration_ms": 1830,
     "device": "mouse" | "touch" | "pen"}

Types, ranges and finiteness are checked by the Pydantic model (each failure names its
path, e.g. `strokeData.strokes[3][0][1]`); the rules that span points (at most
`MAX_POINTS` in all, `t` never decreasing within a stroke) by `check_stroke_rules`.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from crowdsketch.errors import ValidationError

MAX_CANVAS_PX = 4096
MAX_STROKES = 100
MAX_POINTS = 10_000

# strict: a number must arrive as a JSON number, not as "12" or true.
Coordinate = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Timestamp = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate, Timestamp]
Stroke = Annotated[list[Point], Field(min_length=1, max_length=MAX_POINTS)]
Device = Literal["mouse", "touch", "pen"]


class Canvas(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(ge=1, le=MAX_CANVAS_PX, strict=True)
    height: int = Field(ge=1, le=MAX_CANVAS_PX, strict=True)


class StrokeData(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "example": {
            "canvas": {"width": 400, "height": 400},
            "strokes": [[[120, 80, 0], [200, 90, 16], [260, 160, 33]]],
            "duration_ms": 420,
            "device": "mouse",
        }
    })

    canvas: Canvas
    strokes: list[Stroke] = Field(min_length=1, max_length=MAX_STROKES)
    duration_ms: int = Field(ge=0, le=24 * 3600 * 1000, strict=True)
    device: Device

    @property
    def point_count(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)

    def canonical_json(self) -> bytes:
        return self.model_dump_json().encode()

    def content_hash(self) -> str:
        return hashlib.sha256(orjson.dumps(self.strokes)).hexdigest()


def check_stroke_rules(data: StrokeData, prefix: str = "strokeData") -> None:
    """Raise a 400 naming every point that breaks a cross-point rule."""
    details: list[dict[str, str]] = []
    total = data.point_count
    if total > MAX_POINTS:
        details.append({"field": f"{prefix}.strokes", "message": f"{total} points in all; at most {MAX_POINTS}"})
    for s, stroke in enumerate(data.strokes):
        previous = stroke[0][2]
        for p in range(1, len(stroke)):
            t = stroke[p][2]
            if t < previous:
                details.append({
                    "field": f"{prefix}.strokes[{s}][{p}][2]",
                    "message": f"t went back from {previous:g} to {t:g} ms within a stroke",
                })
                break
            previous = t
        if len(details) >= 20:
            break
    if details:
        raise ValidationError(f"{details[0]['field']}: {details[0]['message']}", details=details)
