"""Geometry for synthetic drawings: polylines in unit coordinates (y down), and the
transformations that give them a human look (rotation, stretch, rounded corners, a
closed outline walked from any corner in either direction)."""

from __future__ import annotations

import math
import random

import numpy as np

Path = np.ndarray  # (n, 2) float64 polyline


def rotate(paths: list[Path], degrees: float) -> list[Path]:
    a = math.radians(degrees)
    m = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return [p @ m for p in paths]


def scale(paths: list[Path], sx: float, sy: float) -> list[Path]:
    return [p * np.array([sx, sy]) for p in paths]


def shear(paths: list[Path], amount: float) -> list[Path]:
    """Slant: x moves by `amount` times y (a rectangle becomes a parallelogram)."""
    return [p + np.stack([p[:, 1] * amount, np.zeros(len(p))], axis=1) for p in paths]


def stretch(paths: list[Path], rng: random.Random, amount: float) -> list[Path]:
    """A mild non-uniform scale: people rarely keep proportions exactly."""
    return scale(paths, rng.uniform(1 - amount, 1 + amount), rng.uniform(1 - amount, 1 + amount))


def lengths(path: Path) -> np.ndarray:
    """Cumulative arc length at each vertex, starting at 0."""
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])


def point_at(path: Path, cum: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.stack([np.interp(s, cum, path[:, 0]), np.interp(s, cum, path[:, 1])], axis=1)


def densify(path: Path, step: float = 0.02) -> Path:
    """Vertices every `step` along the path, the original vertices kept (corners stay sharp)."""
    out = [path[:1]]
    for a, b in zip(path[:-1], path[1:], strict=True):
        gap = float(np.hypot(*(b - a)))
        if gap == 0:
            continue  # a repeated vertex would read as a sharp turn when tracing
        n = math.ceil(gap / step)
        f = np.arange(1, n + 1)[:, None] / n
        out.append(a + (b - a) * f)
    return np.concatenate(out)


def round_corners(path: Path, radius: float) -> Path:
    """Replace each interior corner by a quadratic curve that cuts it `radius` either side."""
    if radius <= 0 or len(path) < 3:
        return path
    out = [path[0]]
    for prev, corner, nxt in zip(path[:-2], path[1:-1], path[2:], strict=True):
        into, out_of = corner - prev, nxt - corner
        l_in, l_out = float(np.hypot(*into)), float(np.hypot(*out_of))
        if l_in == 0 or l_out == 0:
            continue
        r = min(radius, 0.45 * l_in, 0.45 * l_out)
        p0, p2 = corner - into / l_in * r, corner + out_of / l_out * r
        f = np.linspace(0, 1, 7)[:, None]
        out.extend((1 - f) ** 2 * p0 + 2 * (1 - f) * f * corner + f**2 * p2)
    out.append(path[-1])
    return np.array(out)


def polygon(n: int, phase_degrees: float = -90.0) -> Path:
    """A regular n-gon's corners on the unit circle, the first at `phase_degrees`."""
    a = np.radians(phase_degrees) + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def walk_loop(corners: Path, start: float, length: float) -> Path:
    """Walk the closed outline through `corners` from arc length `start` for `length`
    (more than the perimeter overshoots, less leaves a gap), keeping corner vertices."""
    loop = np.concatenate([corners, corners[:1]])
    cum = lengths(loop)
    perimeter = cum[-1]
    # Two and a bit laps of vertices with their arc lengths, then cut the wanted interval.
    laps = 3
    verts = np.concatenate([loop[:-1]] * laps + [loop[:1]])
    s = np.concatenate([cum[:-1] + k * perimeter for k in range(laps)] + [[laps * perimeter]])
    end = start + length
    inner = (s > start) & (s < end)
    pieces = [point_at(verts, s, np.array([start])), verts[inner], point_at(verts, s, np.array([end]))]
    return np.concatenate(pieces)


def closed_outline(corners: Path, rng: random.Random, rounding: float) -> list[Path]:
    """A closed polygon as people draw it: from a corner (mostly) or mid-side, either way
    round, in one stroke or in pieces, with overshoot or a small gap where it closes."""
    if rng.random() < 0.5:
        corners = corners[::-1]
    n = len(corners)
    cum = lengths(np.concatenate([corners, corners[:1]]))
    perimeter = float(cum[-1])
    first = rng.randrange(n)
    start = float(cum[first]) if rng.random() < 0.8 else rng.uniform(0, perimeter)
    closure = perimeter * rng.uniform(-0.04, 0.08)
    pieces = split_count(rng, n)
    if pieces == 1:
        strokes = [walk_loop(corners, start, perimeter + closure)]
    elif pieces == 2 and rng.random() < 0.5:
        # Two strokes both leaving the same corner, one each way round ("two Ls").
        half = perimeter * rng.uniform(0.4, 0.6)
        other = perimeter - half + closure
        # The same outline the other way round, still starting at corners[0], so that arc
        # length s one way is perimeter - s the other.
        reverse = np.roll(corners[::-1], 1, axis=0)
        strokes = [
            walk_loop(corners, start, half),
            walk_loop(reverse, (perimeter - start) % perimeter, other),
        ]
    else:
        # Consecutive pieces split at corners; sometimes drawn out of order or reversed.
        # Cut at corners, none so near the start (or its return) that a piece is a speck.
        ahead = sorted(d for d in ((float(c) - start) % perimeter for c in cum[:-1]) if 0.05 < d / perimeter < 0.95)
        bounds = [0.0] + sorted(rng.sample(ahead, min(pieces - 1, len(ahead)))) + [perimeter]
        strokes = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            gap = perimeter * rng.uniform(-0.015, 0.025)  # lifts do not land exactly
            piece = walk_loop(corners, start + a, b - a + gap)
            strokes.append(piece[::-1] if rng.random() < 0.15 else piece)
        if rng.random() < 0.2:
            rng.shuffle(strokes)
    return [round_corners(s, rounding) for s in strokes]


def split_count(rng: random.Random, corners: int) -> int:
    """How many strokes a closed outline is drawn in: usually one, sometimes a side each."""
    roll = rng.random()
    if roll < 0.6:
        return 1
    if roll < 0.8:
        return 2
    if roll < 0.88 and corners > 3:
        return 3
    return corners if corners <= 6 else 1


def corner_rounding(rng: random.Random, size: float = 1.0) -> float:
    return 0.0 if rng.random() < 0.45 else size * rng.uniform(0.02, 0.18)
