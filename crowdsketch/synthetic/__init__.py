"""Procedural, human-like drawings of the default shapes, for seeding and tests.

A drawing is made in four steps, each with its own randomness:

1. **Geometry** (one builder a shape): the pen's paths in unit coordinates (y down), with
   the human variety that decides what a shape looks like — start point, direction, stroke
   count and order, corner rounding, overshoot or a gap where a closed outline meets its
   start, proportions and rotation within what still reads as that shape (a square turned
   45° is a diamond, so a square only tilts a few degrees).
2. **Placement**: scaled to a random size and moved to a random place on the canvas.
3. **Wobble**: a low-frequency drift along the whole pen path, as a hand does.
4. **Tracing**: the pen moves slowly at a stroke's ends and in sharp turns and fast on
   straight runs; points are sampled every 6–20 ms (by device), with per-point jitter,
   and the pen pauses between strokes.

Everything random comes from the `random.Random` passed in, so a seed gives the same drawing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from crowdsketch.strokes import StrokeData, check_stroke_rules
from crowdsketch.synthetic.geometry import Path, densify, lengths, point_at
from crowdsketch.synthetic.outlines import BUILDERS, PROPORTIONED

SHAPES = (
    "circle", "square", "rectangle", "triangle", "diamond", "hexagon",
    "star", "line", "arrow", "check", "cross", "zigzag",
)

# Per device: sampling interval range (ms), per-point jitter (px), decimals kept in x and y.
_DEVICES = {
    "mouse": ((8.0, 17.0), 0.35, 0),
    "touch": ((12.0, 20.0), 0.8, 1),
    "pen": ((6.0, 12.0), 0.2, 2),
}


assert set(BUILDERS) == set(SHAPES) and PROPORTIONED <= set(SHAPES)


# --- placement, wobble, tracing ---------------------------------------------------------


def _place(paths: list[Path], rng: random.Random, width: int, height: int) -> tuple[list[Path], float]:
    """Scale to a random size (its longer side 25–80% of the canvas's shorter side) and move
    to a random spot inside the canvas. Returns the paths in canvas px and that size."""
    allp = np.concatenate(paths)
    low, high = allp.min(axis=0), allp.max(axis=0)
    extent = high - low
    size = rng.uniform(0.25, 0.8) * min(width, height)
    scale = size / max(float(extent.max()), 1e-9)
    box = extent * scale
    margin = 0.04 * min(width, height)
    cx = rng.uniform(margin + box[0] / 2, max(margin + box[0] / 2, width - margin - box[0] / 2))
    cy = rng.uniform(margin + box[1] / 2, max(margin + box[1] / 2, height - margin - box[1] / 2))
    centre = (low + high) / 2
    return [(p - centre) * scale + np.array([cx, cy]) for p in paths], size


def _wobble(paths: list[Path], rng: random.Random, size: float) -> list[Path]:
    """A low-frequency drift along the pen's whole path (a few cycles over the drawing)."""
    dense = [densify(p, size / 150) for p in paths]
    total = sum(float(lengths(p)[-1]) for p in dense) or 1.0
    waves = [(rng.uniform(0.003, 0.018) * size, rng.uniform(0.5, 3.5), rng.uniform(0, 2 * math.pi),
              rng.uniform(0, 2 * math.pi)) for _ in range(3)]
    out, offset = [], 0.0
    for p in dense:
        s = (lengths(p) + offset) / total
        dx = sum(a * np.sin(2 * math.pi * f * s + px) for a, f, px, _ in waves)
        dy = sum(a * np.sin(2 * math.pi * f * s + py) for a, f, _, py in waves)
        out.append(p + np.stack([dx, dy], axis=1))
        offset += float(lengths(p)[-1])
    return out


def _trace(path: Path, rng: random.Random, device: str, speed: float) -> list[tuple[float, float, float]]:
    """Sample the pen along `path` in time: (x, y, ms since the stroke began)."""
    (dt_low, dt_high), jitter, _ = _DEVICES[device]
    cum = lengths(path)
    length = float(cum[-1])
    if length == 0:
        return [(float(path[0, 0]), float(path[0, 1]), 0.0)]
    # Turning per vertex, smoothed: the pen slows into corners and tight curves.
    seg = np.diff(path, axis=0)
    heading = np.unwrap(np.arctan2(seg[:, 1], seg[:, 0]))
    turn = np.concatenate([[0.0], np.abs(np.diff(heading)), [0.0]])
    turn = np.convolve(turn, np.ones(7))[3 : 3 + len(turn)]  # centred window sum
    u = cum / length
    envelope = 0.25 + 0.75 * np.sin(np.pi * u) ** 0.7  # slow at a stroke's ends
    surge = 1 + 0.25 * np.sin(2 * math.pi * rng.uniform(0.5, 2.0) * u + rng.uniform(0, 2 * math.pi))
    velocity = speed * envelope * surge / (1 + 2.5 * turn)  # px/ms at each vertex
    v_mid = (velocity[:-1] + velocity[1:]) / 2
    clock = np.concatenate([[0.0], np.cumsum(np.diff(cum) / v_mid)])
    duration = float(clock[-1])
    times = [0.0]
    while times[-1] + dt_high < duration:
        times.append(times[-1] + rng.uniform(dt_low, dt_high))
    times.append(max(duration, times[-1] + dt_low))
    t = np.array(times)
    s = np.interp(t, clock, cum)
    points = point_at(path, cum, s)
    points += np.array([[rng.gauss(0, jitter), rng.gauss(0, jitter)] for _ in t])
    return [(float(x), float(y), float(ms)) for (x, y), ms in zip(points, t, strict=True)]


def synthetic_drawing(shape: str, rng: random.Random) -> StrokeData:
    """One human-like drawing of `shape` (one of `SHAPES`), in the wire format."""
    if shape not in BUILDERS:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    if rng.random() < 0.5:
        width = height = 400
    else:
        width, height = rng.randint(300, 800), rng.randint(300, 800)
    device = rng.choice(tuple(_DEVICES))
    decimals = _DEVICES[device][2]

    paths, size = _place(BUILDERS[shape](rng), rng, width, height)
    paths = _wobble(paths, rng, size)
    speed = rng.uniform(0.35, 1.4) * (size / 250) ** 0.5  # px/ms; bigger drawings go faster

    strokes: list[list[tuple[float, float, float]]] = []
    clock = 0.0
    for i, path in enumerate(paths):
        if i:
            clock += rng.uniform(120, 650)  # the pen is up, travelling to the next start
        stroke = []
        for x, y, t in _trace(path, rng, device, speed):
            stroke.append((round(x, decimals) if decimals else float(round(x)),
                           round(y, decimals) if decimals else float(round(y)),
                           float(round(clock + t))))
        strokes.append(stroke)
        clock = stroke[-1][2]
    data = StrokeData.model_validate({
        "canvas": {"width": width, "height": height},
        "strokes": strokes,
        "duration_ms": int(strokes[-1][-1][2]),
        "device": device,
    })
    check_stroke_rules(data)
    return data


def synthetic_drawings(shapes: Sequence[str], per_shape: int, seed: int) -> list[tuple[str, StrokeData]]:
    """`per_shape` drawings of each shape, grouped by shape in the order given. Each drawing
    has its own generator seeded from (seed, shape, index), so adding a shape or raising
    `per_shape` leaves the drawings already made unchanged."""
    return [
        (shape, synthetic_drawing(shape, random.Random(f"crowdsketch:{seed}:{shape}:{i}")))
        for shape in shapes
        for i in range(per_shape)
    ]
