"""Drawings for tests, in the wire format."""

from __future__ import annotations

import math
import uuid
from typing import Any


def circle_strokes(cx: float = 200, cy: float = 200, r: float = 120, points: int = 40) -> list[list[list[float]]]:
    return [[
        [round(cx + r * math.cos(2 * math.pi * i / points), 2), round(cy + r * math.sin(2 * math.pi * i / points), 2), i * 20]
        for i in range(points + 1)
    ]]


def square_strokes(x: float = 80, y: float = 80, side: float = 240) -> list[list[list[float]]]:
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
    return [[[cx, cy, i * 150] for i, (cx, cy) in enumerate(corners)]]


def stroke_data(strokes: list[list[list[float]]] | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "canvas": {"width": 400, "height": 400},
        "strokes": strokes if strokes is not None else circle_strokes(),
        "duration_ms": 900,
        "device": "mouse",
    }
    data.update(overrides)
    return data


def drawing_body(shape_id: str = "circle", strokes: list[list[list[float]]] | None = None, **overrides: Any) -> dict[str, Any]:
    return {"shapeId": shape_id, "strokeData": stroke_data(strokes, **overrides)}


def submission_headers(session_id: str | None = None, shape_id: str = "circle", key: str | None = None) -> dict[str, str]:
    session_id = session_id or str(uuid.uuid4())
    return {
        "X-Session-Id": session_id,
        "X-Idempotency-Key": key or f"{session_id}:{shape_id}:{uuid.uuid4().int % 10**13}",
    }
