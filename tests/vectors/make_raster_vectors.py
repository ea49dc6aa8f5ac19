"""Regenerate tests/vectors/raster.json: `python tests/vectors/make_raster_vectors.py`.

The vectors pin `crowdsketch.raster.rasterize`; a port (the browser's) must reproduce them.
Regenerate only on a deliberate change to the preprocessing, which also retires every model
trained with the old one.
"""

from __future__ import annotations

import math

from crowdsketch.raster import DEFAULT_SPEC, rasterize
from vector_file import write_vectors  # beside this script


def _circle() -> list[list[list[float]]]:
    return [[[round(200 + 120 * math.cos(2 * math.pi * i / 80), 3), round(200 + 120 * math.sin(2 * math.pi * i / 80), 3), i * 12] for i in range(81)]]


def _square_in_four_strokes() -> list[list[list[float]]]:
    corners = [(80, 80), (320, 82), (318, 320), (82, 318), (80, 80)]
    strokes, t = [], 0
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        stroke = []
        for i in range(6):
            f = i / 5
            stroke.append([x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, t])
            t += 16
        strokes.append(stroke)
        t += 200
    return strokes


def _star() -> list[list[list[float]]]:
    outer = [(200 + 150 * math.cos(math.radians(-90 + 72 * k)), 200 + 150 * math.sin(math.radians(-90 + 72 * k))) for k in range(5)]
    order = [0, 2, 4, 1, 3, 0]
    return [[[round(outer[k][0], 3), round(outer[k][1], 3), i * 150] for i, k in enumerate(order)]]


def _zigzag() -> list[list[list[float]]]:
    return [[[40 + 50 * i, 150 if i % 2 == 0 else 250, i * 90] for i in range(7)]]


DRAWINGS: dict[str, list[list[list[float]]]] = {
    "circle_one_stroke": _circle(),
    "square_four_strokes": _square_in_four_strokes(),
    "horizontal_line": [[[50, 200, 0], [150, 200, 30], [350, 200, 90]]],
    "dot": [[[123.5, 77.25, 0]]],
    "tall_thin_shape": [[[200, 40, 0], [214, 200, 40], [203, 360, 80], [196, 200, 120], [200, 40, 160]]],
    "negative_coordinates": [[[-150, -40, 0], [-20, -90, 50], [30, 60, 100]], [[-100, 20, 400], [-60, -10, 450]]],
    "pentagram": _star(),
    "zigzag": _zigzag(),
}


def main() -> None:
    write_vectors("raster", "crowdsketch.raster.rasterize test vectors; regenerate with tests/vectors/make_raster_vectors.py", DEFAULT_SPEC, 1e-4, 4,
                  lambda strokes: rasterize(strokes, DEFAULT_SPEC), DRAWINGS)


if __name__ == "__main__":
    main()
