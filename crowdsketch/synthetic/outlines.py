"""One builder a shape: the pen's paths in unit coordinates, in drawing order, with the
variety that decides what the shape looks like and nothing that would make it another
shape (a square turned 45° is a diamond, so a square only tilts a few degrees)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np

from crowdsketch.synthetic.geometry import (
    Path,
    closed_outline,
    corner_rounding,
    polygon,
    rotate,
    round_corners,
    scale,
    shear,
    stretch,
)


# The shapes told apart by their proportions: a square stretched by a fifth reads as a
# rectangle, and a squat rectangle squeezed reads as a square (`_box` draws both, by aspect).
# Training turns people's drawings of these but never stretches or slants them.
PROPORTIONED = frozenset({"square", "rectangle"})


def _circle(rng: random.Random) -> list[Path]:
    start = rng.uniform(0, 2 * math.pi)
    direction = rng.choice((-1, 1))
    # Most circles close with a small overshoot or gap; some run well past the start.
    laps = 1 + (rng.uniform(-0.06, 0.15) if rng.random() < 0.8 else rng.uniform(0.15, 0.6))
    sweep = 2 * math.pi * laps
    if rng.random() < 0.1:
        # Two arcs, the second picking up where the first stopped (or near it).
        first = rng.uniform(0.4, 0.6) * sweep
        arcs = [(start, first), (start + direction * (first + rng.uniform(-0.1, 0.1)), sweep - first)]
    else:
        arcs = [(start, sweep)]
    # A hand-drawn circle drifts in radius over the lap and bulges: low harmonics of the angle.
    drift = rng.uniform(-0.15, 0.15)
    harmonics = [(k, rng.uniform(0, 0.06), rng.uniform(0, 2 * math.pi)) for k in (2, 3)]
    paths = []
    for a0, length in arcs:
        theta = a0 + direction * np.linspace(0, length, 128)
        radius = 1 + drift * (theta - start) * direction / (2 * math.pi)
        radius = radius + sum(amp * np.cos(k * theta + phase) for k, amp, phase in harmonics)
        paths.append(np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1))
    return rotate(scale(paths, rng.uniform(0.75, 1.3), 1.0), rng.uniform(0, 180))


def _box(rng: random.Random, aspect: float) -> list[Path]:
    """A square or rectangle `aspect` times as wide as tall (before a possible turn)."""
    sx, sy = (aspect, 1.0) if rng.random() < 0.75 else (1.0, aspect)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float) * np.array([sx, sy])
    corners = shear([corners], rng.uniform(-0.08, 0.08))[0]
    corners = corners + np.array([[rng.gauss(0, 0.03), rng.gauss(0, 0.03)] for _ in range(4)])
    corners = rotate([corners], rng.uniform(-8, 8))[0]
    return closed_outline(corners, rng, corner_rounding(rng, 2.0))


def _square(rng: random.Random) -> list[Path]:
    return _box(rng, math.exp(abs(rng.gauss(0, 0.06))))  # people's squares are not exact


def _rectangle(rng: random.Random) -> list[Path]:
    return _box(rng, 1.25 + 1.35 * rng.random() ** 2)  # more of them near the square end


def _triangle(rng: random.Random) -> list[Path]:
    kind = rng.choice(("equilateral", "isosceles", "right"))
    if kind == "equilateral":
        corners = polygon(3)
    elif kind == "isosceles":
        height = rng.uniform(0.6, 1.8)
        corners = np.array([[0, -height], [1, 0], [-1, 0]])
    else:
        w, h = rng.uniform(0.8, 1.6), rng.uniform(0.8, 1.6)
        corners = np.array([[0, 0], [w, 0], [0, -h]]) if rng.random() < 0.5 else np.array([[0, 0], [-w, 0], [0, -h]])
    angle = rng.uniform(-15, 15) if rng.random() < 0.7 else rng.uniform(0, 360)
    corners = rotate(stretch([corners], rng, 0.1), angle)[0]
    return closed_outline(corners, rng, corner_rounding(rng))


def _diamond(rng: random.Random) -> list[Path]:
    kind = rng.random()
    if kind < 0.5:
        return _gem(rng)
    # A rhombus standing on a corner; a kite when the side corners sit above the middle.
    tall = rng.uniform(1.1, 1.7) if rng.random() < 0.4 else rng.uniform(0.85, 1.1)
    waist = 0.0 if kind < 0.85 else -tall * rng.uniform(0.2, 0.45)
    corners = np.array([[0, -tall], [1, waist], [0, tall], [-1, waist]], dtype=float)
    corners = corners + np.array([[rng.gauss(0, 0.04), rng.gauss(0, 0.04)] for _ in range(4)])
    corners = rotate([corners], rng.uniform(-8, 8))[0]
    return closed_outline(corners, rng, corner_rounding(rng))


def _gem(rng: random.Random) -> list[Path]:
    """A cut diamond: a flat top, short sides out to the girdle, long sides down to the point,
    often with the girdle line and a few facet lines inside."""
    top, girdle = rng.uniform(0.4, 0.7), rng.uniform(-0.45, -0.15)
    crown = -1.0 + rng.uniform(0.0, 0.2)
    corners = np.array([[-top, crown], [top, crown], [1.0, girdle], [0.0, rng.uniform(0.9, 1.2)], [-1.0, girdle]])
    corners = corners + np.array([[rng.gauss(0, 0.03), rng.gauss(0, 0.03)] for _ in range(5)])
    paths = closed_outline(corners, rng, corner_rounding(rng, 0.4))
    left, right, point = corners[4], corners[2], corners[3]
    if rng.random() < 0.65:
        paths.append(np.stack([left, right]) if rng.random() < 0.7 else np.stack([right, left]))
        if rng.random() < 0.5:  # facets: from the top corners down to the point
            paths.append(np.stack([corners[0], (corners[0] + left) / 2 + (right - left) * 0.25, point]))
            paths.append(np.stack([corners[1], (corners[1] + right) / 2 - (right - left) * 0.25, point]))
    return rotate(stretch(paths, rng, 0.1), rng.uniform(-6, 6))


def _hexagon(rng: random.Random) -> list[Path]:
    phase = rng.choice((0.0, 30.0)) + rng.uniform(-10, 10)
    corners = scale([polygon(6, phase)], rng.uniform(0.8, 1.4), 1.0)[0]
    corners = stretch([corners], rng, 0.1)[0]
    corners = corners + np.array([[rng.gauss(0, 0.05), rng.gauss(0, 0.05)] for _ in range(6)])
    return closed_outline(corners, rng, corner_rounding(rng, 0.4))


def _star(rng: random.Random) -> list[Path]:
    outer = polygon(5) + np.array([[rng.gauss(0, 0.05), rng.gauss(0, 0.05)] for _ in range(5)])
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
        paths = [round_corners(path, corner_rounding(rng, 0.3))]
    else:
        # The outline: ten points alternating outer and inner.
        inner = polygon(5, -90 + 36) * rng.uniform(0.35, 0.55)
        corners = np.empty((10, 2))
        corners[0::2], corners[1::2] = outer, inner
        paths = closed_outline(corners, rng, corner_rounding(rng, 0.3))
    return rotate(stretch(paths, rng, 0.1), rng.uniform(-15, 15))


def _line(rng: random.Random) -> list[Path]:
    bow = rng.uniform(-0.06, 0.06)
    f = np.linspace(0, 1, 24)
    path = np.stack([2 * f - 1, bow * 4 * f * (1 - f)], axis=1)
    return rotate([path], rng.uniform(0, 360))


def _arrow(rng: random.Random) -> list[Path]:
    # People draw the head big and open (each barb up to half the shaft, 25-55° off it),
    # the shaft often bowed, and a head drawn out and back misses the tip on the way back.
    tail, tip = np.array([-1.0, 0.0]), np.array([1.0, 0.0])
    reach = rng.uniform(0.35, 1.0)
    other_reach = min(1.0, reach * rng.uniform(0.7, 1.3))  # the two barbs are seldom equal
    spread = [math.radians(rng.uniform(25, 55)) for _ in range(2)]
    barbs = [tip + reach * np.array([-math.cos(spread[0]), -math.sin(spread[0])]),
             tip + other_reach * np.array([-math.cos(spread[1]), math.sin(spread[1])])]
    if rng.random() < 0.5:
        barbs = barbs[::-1]
    f = np.linspace(0, 1, 12)[:, None]
    bow = rng.uniform(-0.35, 0.35) if rng.random() < 0.6 else 0.0  # up to a sixth of the shaft
    shaft = tail + (tip - tail) * f + bow * 4 * f * (1 - f) * np.array([0.0, 1.0])  # (12, 2), tail to tip
    back = tip + (barbs[0] - tip) * rng.uniform(0.0, 0.15) + np.array([rng.gauss(0, 0.04), rng.gauss(0, 0.04)])
    head_v = np.stack([barbs[0], tip, barbs[1]])
    style = rng.random()
    if style < 0.25:  # one stroke: shaft, out to one barb, back to the tip, out to the other
        paths = [np.concatenate([shaft, [barbs[0], back, barbs[1]]])]
    elif style < 0.35:  # one stroke: shaft, then round the head as a closed triangle
        paths = [np.concatenate([shaft, [barbs[0], barbs[1], tip]])]
    elif style < 0.4:  # one stroke: shaft, one barb, straight across to the other
        paths = [np.concatenate([shaft, [barbs[0], barbs[1]]])]
    elif style < 0.45:  # from a barb through the tip back along the shaft, then the other barb
        paths = [np.concatenate([[barbs[0]], shaft[::-1]])]
        paths.append(np.stack([tip, barbs[1]]))
    elif style < 0.8:  # shaft, then the head as a V, either order
        paths = [shaft if rng.random() < 0.8 else shaft[::-1], head_v]
        if rng.random() < 0.2:
            paths.reverse()
    else:  # shaft and each barb a stroke of its own
        paths = [shaft, np.stack([tip, barbs[0]]), np.stack([tip, barbs[1]])]
        paths[1:] = [p if rng.random() < 0.6 else p[::-1] for p in paths[1:]]
    rounding = corner_rounding(rng, 0.3)
    paths = [round_corners(p, rounding) for p in paths]
    return rotate(stretch(paths, rng, 0.08), rng.uniform(0, 360))


def _check(rng: random.Random) -> list[Path]:
    short = rng.uniform(0.2, 0.65)
    long = short * rng.uniform(1.5, 3.5 if rng.random() < 0.8 else 6.0)
    down, up = math.radians(rng.uniform(20, 65)), math.radians(rng.uniform(35, 75 if rng.random() < 0.8 else 85))
    bottom = np.array([0.0, 0.0])
    start = bottom - short * np.array([math.cos(down), math.sin(down)])
    end = bottom + long * np.array([math.cos(up), -math.sin(up)])
    # The long arm often bends a little as the hand flicks up; the short arm is often an arc
    # bulging up (the pen rises before it drops into the bottom).
    f = np.linspace(0, 1, 12)[1:, None]
    bend = rng.uniform(-0.12, 0.12) * long * 4 * f * (1 - f) * np.array([math.sin(up), math.cos(up)])
    g = np.linspace(0, 1, 8)[:-1, None]
    hump = (rng.uniform(0.0, 0.45) if rng.random() < 0.3 else 0.0) * short * 4 * g * (1 - g)
    into = start + (bottom - start) * g + hump * np.array([math.sin(down), -math.cos(down)])
    path = np.concatenate([into, bottom + (end - bottom) * f + bend])
    path = round_corners(path, corner_rounding(rng, 0.3))
    if rng.random() < 0.05:
        path = path[::-1]
    return rotate(stretch([path], rng, 0.1), rng.uniform(-15, 15))


def _cross(rng: random.Random) -> list[Path]:
    diagonal = rng.random() < 0.5  # "×" rather than "+"
    arm_a, arm_b = rng.uniform(0.75, 1.0), rng.uniform(0.75, 1.0)
    at_a, at_b = rng.uniform(0.35, 0.65), rng.uniform(0.3, 0.6)
    horizontal = np.array([[-2 * at_a * arm_a, 0.0], [2 * (1 - at_a) * arm_a, 0.0]])
    vertical = np.array([[0.0, -2 * at_b * arm_b], [0.0, 2 * (1 - at_b) * arm_b]])
    bars = [horizontal, vertical]
    angle = (45.0 if diagonal else 0.0) + rng.uniform(-10, 10)
    if diagonal and rng.random() < 0.5:
        # An X without lifting the pen: one bar, along the side to the other bar's start, that bar.
        first, second = rotate(bars, angle)
        if rng.random() < 0.5:
            first = first[::-1]
        if float(np.hypot(*(second[0] - first[-1]))) > float(np.hypot(*(second[-1] - first[-1]))):
            second = second[::-1]
        path = np.concatenate([first, second])
        return _unsquare([round_corners(path, corner_rounding(rng, 0.3))], rng)
    bars = [b if rng.random() < 0.75 else b[::-1] for b in bars]
    if rng.random() < 0.4:
        bars.reverse()
    return _unsquare(rotate(bars, angle), rng)


def _unsquare(paths: list[Path], rng: random.Random) -> list[Path]:
    """People's crosses are often taller or wider than they are square (an X drawn tall has
    steep bars): up to e^±0.35 between the page's axes."""
    aspect = math.exp(rng.uniform(-0.35, 0.35))
    return scale(paths, math.sqrt(aspect), 1 / math.sqrt(aspect))


def _zigzag(rng: random.Random) -> list[Path]:
    segments = rng.choice((3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10))
    step, amplitude = rng.uniform(0.2, 0.6), rng.uniform(0.35, 1.0)
    xs = np.arange(segments + 1) * step
    ys = np.where(np.arange(segments + 1) % 2 == 0, 0.0, amplitude) * rng.choice((-1, 1))
    points = np.stack([xs, ys], axis=1)
    points = points + np.array([[rng.gauss(0, 0.05 * step), rng.gauss(0, 0.08 * amplitude)] for _ in points])
    if rng.random() < 0.5:
        points = points[::-1]
    path = round_corners(points, corner_rounding(rng, 0.2))
    angle = (0.0 if rng.random() < 0.7 else 90.0) + rng.uniform(-15, 15)
    return rotate([path], angle)


BUILDERS: dict[str, Callable[[random.Random], list[Path]]] = {
    "circle": _circle, "square": _square, "rectangle": _rectangle, "triangle": _triangle,
    "diamond": _diamond, "hexagon": _hexagon, "star": _star, "line": _line, "arrow": _arrow,
    "check": _check, "cross": _cross, "zigzag": _zigzag,
}
