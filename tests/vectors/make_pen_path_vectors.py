"""Regenerate tests/vectors/pen_path.json: `python tests/vectors/make_pen_path_vectors.py`.

The vectors pin `crowdsketch.pen_path.path_features`; a port (the browser's,
web/src/inference/penPath.ts) must reproduce them. Regenerate only on a deliberate change to
the path features, which also retires every model trained with the old ones.
"""

from __future__ import annotations

import math

from crowdsketch.pen_path import DEFAULT_PATH_SPEC, path_features
from make_raster_vectors import DRAWINGS as RASTER_DRAWINGS  # the scripts sit side by side
from vector_file import write_vectors

Strokes = list[list[list[float]]]


def _arrow_retracing() -> Strokes:
    """One stroke: the shaft, out to a barb, back to the tip, out to the other barb."""
    moves = [(60, 210), (300, 200), (245, 150), (300, 200), (250, 255)]
    return [[[x, y, i * 80] for i, (x, y) in enumerate(moves)]]


def _with_a_dot() -> Strokes:
    """An exclamation mark sideways: a line, a one-point stroke, another line."""
    return [
        [[40, 100, 0], [180, 104, 40], [300, 98, 80]],
        [[340, 101, 300]],
        [[60, 160, 500], [62, 230, 540]],
    ]


def _spiral_of_many_points() -> Strokes:
    """250 points in a stroke and 40 in another: over max_points, so decimation applies."""
    spiral = [[round(200 + (10 + i * 0.6) * math.cos(i * 0.15), 3), round(200 + (10 + i * 0.6) * math.sin(i * 0.15), 3), i * 5] for i in range(250)]
    line = [[20 + i * 8.5, 380 - i * 0.25, 2000 + i * 5] for i in range(40)]
    return [spiral, line]


def _many_short_strokes() -> Strokes:
    """80 strokes of 3 points: more than max_points / 2, so each keeps only its ends."""
    return [[[(k % 10) * 30, (k // 10) * 30, k * 100], [(k % 10) * 30 + 10, (k // 10) * 30 + 12, k * 100 + 10], [(k % 10) * 30 + 20, (k // 10) * 30 + 5, k * 100 + 20]] for k in range(80)]


def _duplicates() -> Strokes:
    """Repeated consecutive points: zero-length segments, which no sample may land on."""
    return [
        [[0, 0, 0], [0, 0, 10], [100, 0, 20], [100, 0, 30], [100, 0, 40], [100, 80, 50]],
        [[30, 30, 200], [30, 30, 210]],
        [[50, 50, 300], [50, 50, 310], [90, 20, 320]],
    ]


DRAWINGS: dict[str, Strokes] = {
    "circle_one_stroke": RASTER_DRAWINGS["circle_one_stroke"],
    "square_four_strokes": RASTER_DRAWINGS["square_four_strokes"],
    "pentagram_one_stroke": RASTER_DRAWINGS["pentagram"],
    "arrow_retracing": _arrow_retracing(),
    "one_point_stroke_among_others": _with_a_dot(),
    "dot_only": [[[123.5, 77.25, 0]]],
    "spiral_decimated": _spiral_of_many_points(),
    "many_short_strokes": _many_short_strokes(),
    "duplicate_points": _duplicates(),
    "negative_coordinates": RASTER_DRAWINGS["negative_coordinates"],
    "huge_coordinates": [[[-3e300, 1e300, 0], [2e300, -4e300, 50], [5e300, 2.5e300, 100]], [[-1e300, -1e300, 300], [0, 3e300, 350]]],
    # The extent overflows: every coordinate is halved first, as in the raster.
    "extent_overflow": [[[-1.7e308, 0, 0], [1.7e308, 0, 10]], [[0, -1.7e308, 20], [0, 1.7e308, 30]]],
    # A box near the float limit: its centre, minX + w / 2, stays finite.
    "centre_overflow": [[[1e308, 0, 0], [1.7e308, 5, 10]]],
    # A box under 1e-307 across: 2 / side overflows, so the scale is 0: a dot.
    "subnormal_box": [[[0, 0, 0], [1e-310, 0, 10]]],
}


def main() -> None:
    write_vectors("pen_path", "crowdsketch.pen_path.path_features test vectors; regenerate with tests/vectors/make_pen_path_vectors.py", DEFAULT_PATH_SPEC, 1e-5, 7,
                  lambda strokes: path_features(strokes, DEFAULT_PATH_SPEC), DRAWINGS)


if __name__ == "__main__":
    main()
