"""Drawings: 40–120 points, over the 12 default shapes, in the wire format."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import orjson

SHAPES = ["circle", "square", "rectangle", "triangle", "diamond", "hexagon",
          "star", "line", "arrow", "check", "cross", "zigzag"]


def _outline(shape: str, rng: random.Random) -> list[list[tuple[float, float]]]:
    """The shape's strokes as polylines (vertices), somewhere on a 400×400 canvas."""
    cx, cy = rng.uniform(150, 250), rng.uniform(150, 250)
    r = rng.uniform(70, 140)
    rot = rng.uniform(-0.2, 0.2)

    def polygon(n: int, radii: list[float], start: float) -> list[tuple[float, float]]:
        pts = [(cx + radii[i % len(radii)] * math.cos(start + rot + 2 * math.pi * i / n),
                cy + radii[i % len(radii)] * math.sin(start + rot + 2 * math.pi * i / n)) for i in range(n)]
        return [*pts, pts[0]]

    if shape == "circle":
        return [polygon(64, [r], rng.uniform(0, 2 * math.pi))]
    if shape == "square":
        return [polygon(4, [r], math.pi / 4)]
    if shape == "rectangle":
        w, h = r, r * rng.uniform(0.45, 0.7)
        return [[(cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h), (cx - w, cy - h)]]
    if shape == "triangle":
        return [polygon(3, [r], -math.pi / 2)]
    if shape == "diamond":
        return [polygon(4, [r], -math.pi / 2)]
    if shape == "hexagon":
        return [polygon(6, [r], 0)]
    if shape == "star":
        return [polygon(10, [r, r * 0.42], -math.pi / 2)]
    if shape == "line":
        return [[(cx - r, cy + r * rot), (cx + r, cy - r * rot)]]
    if shape == "arrow":
        tip = (cx + r, cy)
        return [[(cx - r, cy), tip], [(tip[0] - r * 0.4, cy - r * 0.3), tip], [(tip[0] - r * 0.4, cy + r * 0.3), tip]]
    if shape == "check":
        return [[(cx - r * 0.7, cy), (cx - r * 0.2, cy + r * 0.5), (cx + r * 0.8, cy - r * 0.7)]]
    if shape == "cross":
        return [[(cx - r, cy - r), (cx + r, cy + r)], [(cx + r, cy - r), (cx - r, cy + r)]]
    if shape == "zigzag":
        n = rng.randint(4, 7)
        return [[(cx - r + 2 * r * i / n, cy + (r * 0.4 if i % 2 else -r * 0.4)) for i in range(n + 1)]]
    raise ValueError(shape)


def _sample(vertices: list[tuple[float, float]], count: int) -> list[tuple[float, float]]:
    """`count` points spread evenly along a polyline, both ends included."""
    lengths = [math.dist(a, b) for a, b in zip(vertices, vertices[1:])]
    total = sum(lengths)
    points = []
    for k in range(count):
        target = total * k / max(1, count - 1)
        segment = 0
        while segment < len(lengths) - 1 and target > lengths[segment]:
            target -= lengths[segment]
            segment += 1
        (ax, ay), (bx, by) = vertices[segment], vertices[segment + 1]
        f = min(1.0, target / lengths[segment]) if lengths[segment] else 0.0
        points.append((ax + (bx - ax) * f, ay + (by - ay) * f))
    return points


def make_drawing(shape: str, rng: random.Random) -> dict:
    """One drawing of `shape` as the `strokeData` of a request: jittered points, timestamps."""
    outline = _outline(shape, rng)
    total = rng.randint(40, 120)
    weights = [sum(math.dist(a, b) for a, b in zip(s, s[1:])) for s in outline]
    counts = [max(2, int(total * w / sum(weights))) for w in weights]
    counts[0] += total - sum(counts)
    strokes, t = [], 0
    for vertices, count in zip(outline, counts):
        stroke = []
        for x, y in _sample(vertices, count):
            stroke.append([round(min(400.0, max(0.0, x + rng.gauss(0, 1.5))), 1),
                           round(min(400.0, max(0.0, y + rng.gauss(0, 1.5))), 1), t])
            t += rng.randint(8, 24)
        strokes.append(stroke)
        t += rng.randint(120, 400)  # pen up
    return {
        "canvas": {"width": 400, "height": 400},
        "strokes": strokes,
        "duration_ms": strokes[-1][-1][2],
        "device": rng.choice(["mouse", "mouse", "touch", "pen"]),
    }


@dataclass
class Corpus:
    """Distinct drawings, each kept as the request body (bytes) and as `StrokeData`."""
    shapes: list[str]
    bodies: list[bytes]
    stroke_data: list  # list[StrokeData]

    @classmethod
    def build(cls, size: int, seed: int = 7) -> Corpus:
        from crowdsketch.strokes import StrokeData, check_stroke_rules

        rng = random.Random(seed)
        shapes, bodies, parsed = [], [], []
        for i in range(size):
            shape = SHAPES[i % len(SHAPES)]
            data = make_drawing(shape, rng)
            model = StrokeData.model_validate(data)
            check_stroke_rules(model)
            assert 40 <= model.point_count <= 120, model.point_count
            shapes.append(shape)
            bodies.append(orjson.dumps({"shapeId": shape, "strokeData": data}))
            parsed.append(model)
        return cls(shapes, bodies, parsed)
