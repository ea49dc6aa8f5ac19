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
from collections.abc import Callable, Sequence

import numpy as np

from crowdsketch.strokes import StrokeData, check_stroke_rules

Path = np.ndarray  # (n, 2) float64 polyline

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


# --- geometry helpers -----------------------------------------------------------------


def _rotate(paths: list[Path], degrees: float) -> list[Path]:
    a = math.radians(degrees)
    m = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return [p @ m for p in paths]


def _scale(paths: list[Path], sx: float, sy: float) -> list[Path]:
    return [p * np.array([sx, sy]) for p in paths]


def _stretch(paths: list[Path], rng: random.Random, amount: float) -> list[Path]:
    """A mild non-uniform scale: people rarely keep proportions exactly."""
    return _scale(paths, rng.uniform(1 - amount, 1 + amount), rng.uniform(1 - amount, 1 + amount))


def _lengths(path: Path) -> np.ndarray:
    """Cumulative arc length at each vertex, starting at 0."""
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])


def _point_at(path: Path, cum: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.stack([np.interp(s, cum, path[:, 0]), np.interp(s, cum, path[:, 1])], axis=1)


def _densify(path: Path, step: float = 0.02) -> Path:
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


def _round_corners(path: Path, radius: float) -> Path:
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


def _polygon(n: int, phase_degrees: float = -90.0) -> Path:
    """A regular n-gon's corners on the unit circle, the first at `phase_degrees`."""
    a = np.radians(phase_degrees) + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def _walk_loop(corners: Path, start: float, length: float) -> Path:
    """Walk the closed outline through `corners` from arc length `start` for `length`
    (more than the perimeter overshoots, less leaves a gap), keeping corner vertices."""
    loop = np.concatenate([corners, corners[:1]])
    cum = _lengths(loop)
    perimeter = cum[-1]
    # Two and a bit laps of vertices with their arc lengths, then cut the wanted interval.
    laps = 3
    verts = np.concatenate([loop[:-1]] * laps + [loop[:1]])
    s = np.concatenate([cum[:-1] + k * perimeter for k in range(laps)] + [[laps * perimeter]])
    end = start + length
    inner = (s > start) & (s < end)
    pieces = [_point_at(verts, s, np.array([start])), verts[inner], _point_at(verts, s, np.array([end]))]
    return np.concatenate(pieces)


def _closed_outline(corners: Path, rng: random.Random, rounding: float) -> list[Path]:
    """A closed polygon as people draw it: from a corner (mostly) or mid-side, either way
    round, in one stroke or in pieces, with overshoot or a small gap where it closes."""
    if rng.random() < 0.5:
        corners = corners[::-1]
    n = len(corners)
    cum = _lengths(np.concatenate([corners, corners[:1]]))
    perimeter = float(cum[-1])
    first = rng.randrange(n)
    start = float(cum[first]) if rng.random() < 0.8 else rng.uniform(0, perimeter)
    closure = perimeter * rng.uniform(-0.04, 0.08)
    pieces = _split_count(rng, n)
    if pieces == 1:
        strokes = [_walk_loop(corners, start, perimeter + closure)]
    elif pieces == 2 and rng.random() < 0.5:
        # Two strokes both leaving the same corner, one each way round ("two Ls").
        half = perimeter * rng.uniform(0.4, 0.6)
        other = perimeter - half + closure
        # The same outline the other way round, still starting at corners[0], so that arc
        # length s one way is perimeter - s the other.
        reverse = np.roll(corners[::-1], 1, axis=0)
        strokes = [
            _walk_loop(corners, start, half),
            _walk_loop(reverse, (perimeter - start) % perimeter, other),
        ]
    else:
        # Consecutive pieces split at corners; sometimes drawn out of order or reversed.
        # Cut at corners, none so near the start (or its return) that a piece is a speck.
        ahead = sorted(d for d in ((float(c) - start) % perimeter for c in cum[:-1]) if 0.05 < d / perimeter < 0.95)
        bounds = [0.0] + sorted(rng.sample(ahead, min(pieces - 1, len(ahead)))) + [perimeter]
        strokes = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            gap = perimeter * rng.uniform(-0.015, 0.025)  # lifts do not land exactly
            piece = _walk_loop(corners, start + a, b - a + gap)
            strokes.append(piece[::-1] if rng.random() < 0.15 else piece)
        if rng.random() < 0.2:
            rng.shuffle(strokes)
    return [_round_corners(s, rounding) for s in strokes]


def _split_count(rng: random.Random, corners: int) -> int:
    """How many strokes a closed outline is drawn in: usually one."""
    roll = rng.random()
    if roll < 0.6:
        return 1
    if roll < 0.8:
        return 2
    if roll < 0.88 and corners > 3:
        return 3
    return corners if corners <= 4 else 1


def _corner_rounding(rng: random.Random, size: float = 1.0) -> float:
    return 0.0 if rng.random() < 0.45 else size * rng.uniform(0.02, 0.18)


# --- one builder per shape: unit-sized geometry, in drawing order -----------------------


def _circle(rng: random.Random) -> list[Path]:
    start = rng.uniform(0, 2 * math.pi)
    direction = rng.choice((-1, 1))
    sweep = 2 * math.pi * (1 + rng.uniform(-0.05, 0.12))
    if rng.random() < 0.1:
        # Two arcs, the second picking up where the first stopped (or near it).
        first = rng.uniform(0.4, 0.6) * sweep
        arcs = [(start, first), (start + direction * (first + rng.uniform(-0.1, 0.1)), sweep - first)]
    else:
        arcs = [(start, sweep)]
    # A hand-drawn circle drifts in radius: a slow change over the lap.
    drift = rng.uniform(-0.12, 0.12)
    paths = []
    for a0, length in arcs:
        theta = a0 + direction * np.linspace(0, length, 96)
        radius = 1 + drift * (theta - start) * direction / (2 * math.pi)
        paths.append(np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1))
    return _rotate(_scale(paths, rng.uniform(0.85, 1.15), 1.0), rng.uniform(0, 180))


def _square(rng: random.Random) -> list[Path]:
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float) * np.array([rng.uniform(0.9, 1.1), 1.0])
    corners = _rotate([corners], rng.uniform(-8, 8))[0]
    return _closed_outline(corners, rng, _corner_rounding(rng, 2.0))


def _rectangle(rng: random.Random) -> list[Path]:
    aspect = rng.uniform(1.4, 3.0)
    sx, sy = (aspect, 1.0) if rng.random() < 0.75 else (1.0, aspect)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float) * np.array([sx, sy])
    corners = _rotate([corners], rng.uniform(-8, 8))[0]
    return _closed_outline(corners, rng, _corner_rounding(rng, 2.0))


def _triangle(rng: random.Random) -> list[Path]:
    kind = rng.choice(("equilateral", "isosceles", "right"))
    if kind == "equilateral":
        corners = _polygon(3)
    elif kind == "isosceles":
        height = rng.uniform(0.6, 1.8)
        corners = np.array([[0, -height], [1, 0], [-1, 0]])
    else:
        w, h = rng.uniform(0.8, 1.6), rng.uniform(0.8, 1.6)
        corners = np.array([[0, 0], [w, 0], [0, -h]]) if rng.random() < 0.5 else np.array([[0, 0], [-w, 0], [0, -h]])
    angle = rng.uniform(-15, 15) if rng.random() < 0.7 else rng.uniform(0, 360)
    corners = _rotate(_stretch([corners], rng, 0.1), angle)[0]
    return _closed_outline(corners, rng, _corner_rounding(rng))


def _diamond(rng: random.Random) -> list[Path]:
    tall = rng.uniform(1.1, 1.6) if rng.random() < 0.4 else rng.uniform(0.9, 1.1)
    corners = np.array([[0, -tall], [1, 0], [0, tall], [-1, 0]], dtype=float)
    corners = _rotate([corners], rng.uniform(-8, 8))[0]
    return _closed_outline(corners, rng, _corner_rounding(rng))


def _hexagon(rng: random.Random) -> list[Path]:
    phase = rng.choice((0.0, 30.0)) + rng.uniform(-10, 10)
    corners = _stretch([_polygon(6, phase)], rng, 0.12)[0]
    corners = corners + np.array([[rng.gauss(0, 0.04), rng.gauss(0, 0.04)] for _ in range(6)])
    return _closed_outline(corners, rng, _corner_rounding(rng, 0.5))


def _star(rng: random.Random) -> list[Path]:
    outer = _polygon(5) + np.array([[rng.gauss(0, 0.05), rng.gauss(0, 0.05)] for _ in range(5)])
    if rng.random() < 0.8:
        # A pentagram in one stroke: every second point, back to the start.
        order = [0, 2, 4, 1, 3]
        points = outer[order] if rng.random() < 0.5 else outer[order[::-1]]
        first = rng.randrange(5)
        points = np.roll(points, -first, axis=0)
        closure = rng.uniform(-0.08, 0.15)  # past the start along the first line, or short of it
        if closure >= 0:
            path = np.concatenate([points, [points[0], points[0] + (points[1] - points[0]) * closure]])
        else:
            path = np.concatenate([points, [points[0] + (points[4] - points[0]) * -closure]])
        paths = [_round_corners(path, _corner_rounding(rng, 0.3))]
    else:
        # The outline: ten points alternating outer and inner.
        inner = _polygon(5, -90 + 36) * rng.uniform(0.35, 0.55)
        corners = np.empty((10, 2))
        corners[0::2], corners[1::2] = outer, inner
        paths = _closed_outline(corners, rng, _corner_rounding(rng, 0.3))
    return _rotate(_stretch(paths, rng, 0.1), rng.uniform(-15, 15))


def _line(rng: random.Random) -> list[Path]:
    bow = rng.uniform(-0.06, 0.06)
    f = np.linspace(0, 1, 24)
    path = np.stack([2 * f - 1, bow * 4 * f * (1 - f)], axis=1)
    return _rotate([path], rng.uniform(0, 360))


def _arrow(rng: random.Random) -> list[Path]:
    tail, tip = np.array([-1.0, 0.0]), np.array([1.0, 0.0])
    barb = rng.uniform(0.35, 0.7)
    spread = [math.radians(rng.uniform(22, 45)) for _ in range(2)]
    barbs = [tip + barb * np.array([-math.cos(spread[0]), -math.sin(spread[0])]),
             tip + barb * np.array([-math.cos(spread[1]), math.sin(spread[1])])]
    if rng.random() < 0.5:
        barbs = barbs[::-1]
    shaft = np.stack([tail, tip])
    head_v = np.stack([barbs[0], tip, barbs[1]])
    style = rng.random()
    if style < 0.3:  # one stroke: shaft, out to one barb, back to the tip, out to the other
        paths = [np.stack([tail, tip, barbs[0], tip, barbs[1]])]
    elif style < 0.45:  # from a barb through the tip back along the shaft, then the other barb
        paths = [np.stack([barbs[0], tip, tail])]
        paths.append(np.stack([tip, barbs[1]]))
    elif style < 0.8:  # shaft, then the head as a V, either order
        paths = [shaft if rng.random() < 0.8 else shaft[::-1], head_v]
        if rng.random() < 0.2:
            paths.reverse()
    else:  # shaft and each barb a stroke of its own
        paths = [shaft, np.stack([tip, barbs[0]]), np.stack([tip, barbs[1]])]
        paths[1:] = [p if rng.random() < 0.6 else p[::-1] for p in paths[1:]]
    rounding = _corner_rounding(rng, 0.3)
    paths = [_round_corners(p, rounding) for p in paths]
    return _rotate(_stretch(paths, rng, 0.08), rng.uniform(0, 360))


def _check(rng: random.Random) -> list[Path]:
    short = rng.uniform(0.3, 0.6)
    long = short * rng.uniform(1.6, 3.2)
    down, up = math.radians(rng.uniform(30, 60)), math.radians(rng.uniform(40, 68))
    bottom = np.array([0.0, 0.0])
    start = bottom - short * np.array([math.cos(down), math.sin(down)])
    end = bottom + long * np.array([math.cos(up), -math.sin(up)])
    path = np.stack([start, bottom, end])
    path = _round_corners(path, _corner_rounding(rng, 0.3))
    if rng.random() < 0.05:
        path = path[::-1]
    return _rotate(_stretch([path], rng, 0.1), rng.uniform(-12, 12))


def _cross(rng: random.Random) -> list[Path]:
    diagonal = rng.random() < 0.4  # "×" rather than "+"
    arm_a, arm_b = rng.uniform(0.75, 1.0), rng.uniform(0.75, 1.0)
    at_a, at_b = rng.uniform(0.35, 0.65), rng.uniform(0.3, 0.6)
    horizontal = np.array([[-2 * at_a * arm_a, 0.0], [2 * (1 - at_a) * arm_a, 0.0]])
    vertical = np.array([[0.0, -2 * at_b * arm_b], [0.0, 2 * (1 - at_b) * arm_b]])
    bars = [horizontal, vertical]
    angle = (45.0 if diagonal else 0.0) + rng.uniform(-10, 10)
    if diagonal and rng.random() < 0.35:
        # An X without lifting the pen: one bar, along the side to the other bar's start, that bar.
        first, second = _rotate(bars, angle)
        if rng.random() < 0.5:
            first = first[::-1]
        if float(np.hypot(*(second[0] - first[-1]))) > float(np.hypot(*(second[-1] - first[-1]))):
            second = second[::-1]
        path = np.concatenate([first, second])
        return [_round_corners(path, _corner_rounding(rng, 0.3))]
    bars = [b if rng.random() < 0.75 else b[::-1] for b in bars]
    if rng.random() < 0.4:
        bars.reverse()
    return _rotate(bars, angle)


def _zigzag(rng: random.Random) -> list[Path]:
    segments = rng.randint(3, 7)
    step, amplitude = rng.uniform(0.25, 0.6), rng.uniform(0.4, 1.0)
    xs = np.arange(segments + 1) * step
    ys = np.where(np.arange(segments + 1) % 2 == 0, 0.0, amplitude) * rng.choice((-1, 1))
    points = np.stack([xs, ys], axis=1)
    points = points + np.array([[rng.gauss(0, 0.04 * step), rng.gauss(0, 0.06 * amplitude)] for _ in points])
    if rng.random() < 0.5:
        points = points[::-1]
    path = _round_corners(points, _corner_rounding(rng, 0.2))
    angle = (0.0 if rng.random() < 0.7 else 90.0) + rng.uniform(-15, 15)
    return _rotate([path], angle)


_BUILDERS: dict[str, Callable[[random.Random], list[Path]]] = {
    "circle": _circle, "square": _square, "rectangle": _rectangle, "triangle": _triangle,
    "diamond": _diamond, "hexagon": _hexagon, "star": _star, "line": _line, "arrow": _arrow,
    "check": _check, "cross": _cross, "zigzag": _zigzag,
}
assert set(_BUILDERS) == set(SHAPES)


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
    dense = [_densify(p, size / 150) for p in paths]
    total = sum(float(_lengths(p)[-1]) for p in dense) or 1.0
    waves = [(rng.uniform(0.003, 0.018) * size, rng.uniform(0.5, 3.5), rng.uniform(0, 2 * math.pi),
              rng.uniform(0, 2 * math.pi)) for _ in range(3)]
    out, offset = [], 0.0
    for p in dense:
        s = (_lengths(p) + offset) / total
        dx = sum(a * np.sin(2 * math.pi * f * s + px) for a, f, px, _ in waves)
        dy = sum(a * np.sin(2 * math.pi * f * s + py) for a, f, _, py in waves)
        out.append(p + np.stack([dx, dy], axis=1))
        offset += float(_lengths(p)[-1])
    return out


def _trace(path: Path, rng: random.Random, device: str, speed: float) -> list[tuple[float, float, float]]:
    """Sample the pen along `path` in time: (x, y, ms since the stroke began)."""
    (dt_low, dt_high), jitter, _ = _DEVICES[device]
    cum = _lengths(path)
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
    points = _point_at(path, cum, s)
    points += np.array([[rng.gauss(0, jitter), rng.gauss(0, jitter)] for _ in t])
    return [(float(x), float(y), float(ms)) for (x, y), ms in zip(points, t, strict=True)]


def synthetic_drawing(shape: str, rng: random.Random) -> StrokeData:
    """One human-like drawing of `shape` (one of `SHAPES`), in the wire format."""
    if shape not in _BUILDERS:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    if rng.random() < 0.5:
        width = height = 400
    else:
        width, height = rng.randint(300, 800), rng.randint(300, 800)
    device = rng.choice(tuple(_DEVICES))
    decimals = _DEVICES[device][2]

    paths, size = _place(_BUILDERS[shape](rng), rng, width, height)
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
