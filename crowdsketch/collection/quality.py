"""A drawing's quality score in [0, 1], from its geometry alone.

Each heuristic gives a score in [0, 1]; the result is their weighted mean:

| heuristic | weight | 1.0 when | 0.0 when |
|---|---|---|---|
| points   | 0.20 | at least 20 points in all | 4 points or fewer |
| strokes  | 0.10 | 1–8 strokes | 30 strokes or more (scribbling) |
| duration | 0.15 | 300 ms – 20 s | under 80 ms, or over 120 s |
| extent   | 0.30 | the ink's larger side spans ≥ 25% of the canvas's smaller side | under 3% (a dot) |
| closure  | 0.25 | closed shapes only: the pen's last point lands within 10% of the ink's diagonal of a stroke end | 50% or more away |

For an open shape (line, arrow, ...) the closure weight is shared among the others.
Ramps between the two ends are linear. The score ranks drawings for curation; it does not
decide whether a drawing is kept.

When a model judged the drawing, its agreement (its probability of the prompted shape)
caps the score (`with_agreement`): a tidy circle submitted for "star" is still a poor star.
"""

from __future__ import annotations

import math

from crowdsketch.strokes import StrokeData

WEIGHTS = {"points": 0.20, "strokes": 0.10, "duration": 0.15, "extent": 0.30, "closure": 0.25}


def _ramp(value: float, zero_at: float, one_at: float) -> float:
    """Linear from 0 at `zero_at` to 1 at `one_at` (either direction), clamped."""
    if zero_at == one_at:
        return 1.0 if value >= one_at else 0.0
    return min(1.0, max(0.0, (value - zero_at) / (one_at - zero_at)))


def closure_gap(data: StrokeData) -> float:
    """Distance from the last point drawn to the nearest other stroke end, over the ink's
    diagonal. A one-stroke circle closes on its own start; a four-stroke square closes where
    its first stroke began. A last stroke too short to go round (a tap, a flick) is not
    compared with its own start, or every drawing ending in a tap would count as closed."""
    xs = [p[0] for stroke in data.strokes for p in stroke]
    ys = [p[1] for stroke in data.strokes for p in stroke]
    diagonal = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
    if diagonal == 0:
        return 1.0
    last_stroke = data.strokes[-1]
    last = last_stroke[-1]
    ends = [stroke[0] for stroke in data.strokes[:-1]] + [stroke[-1] for stroke in data.strokes[:-1]]
    if _path_length(last_stroke) >= diagonal:
        ends.append(last_stroke[0])
    if not ends:
        return 1.0
    return min(math.hypot(last[0] - p[0], last[1] - p[1]) for p in ends) / diagonal


def _path_length(stroke: list[tuple[float, float, float]]) -> float:
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(stroke, stroke[1:], strict=False))


def quality_components(data: StrokeData, closed: bool) -> dict[str, float]:
    xs = [p[0] for stroke in data.strokes for p in stroke]
    ys = [p[1] for stroke in data.strokes for p in stroke]
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) / min(data.canvas.width, data.canvas.height)
    duration = data.duration_ms
    components = {
        "points": _ramp(data.point_count, 4, 20),
        "strokes": 1.0 if len(data.strokes) <= 8 else _ramp(len(data.strokes), 30, 8),
        "duration": _ramp(duration, 80, 300) if duration < 20_000 else _ramp(duration, 120_000, 20_000),
        "extent": _ramp(extent, 0.03, 0.25),
    }
    if closed:
        components["closure"] = _ramp(closure_gap(data), 0.5, 0.1)
    return components


def quality_score(data: StrokeData, closed: bool) -> float:
    components = quality_components(data, closed)
    total_weight = sum(WEIGHTS[name] for name in components)
    return round(sum(WEIGHTS[name] * value for name, value in components.items()) / total_weight, 3)


def with_agreement(geometry: float, agreement: float | None) -> float:
    """The geometry score capped by the model's agreement, when there is one. A cap, not a
    mean: a drawing of the wrong shape must rank low however clean its lines, and a clean
    drawing the model is sure of keeps its geometry score."""
    if agreement is None:
        return geometry
    return round(min(geometry, agreement), 3)
