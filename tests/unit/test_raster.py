"""The one preprocessing: strokes → the model's raster, pinned by shared test vectors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from crowdsketch.raster import DEFAULT_SPEC, RasterSpec, decimate, rasterize, rasterize_batch

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "raster.json").read_text())


def _rectangle(x: float, y: float, w: float, h: float) -> list[list[list[float]]]:
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
    return [[[cx, cy, i * 100] for i, (cx, cy) in enumerate(corners)]]


def _ink_box(raster: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero((raster >= 0.5).any(axis=1))
    cols = np.flatnonzero((raster >= 0.5).any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1])


def _random_drawing(rng: random.Random, strokes: int, points: int) -> list[list[list[float]]]:
    t = 0.0
    drawing = []
    for _ in range(strokes):
        stroke = []
        for _ in range(rng.randint(1, points)):
            stroke.append([rng.uniform(-500, 500), rng.uniform(-300, 300), t])
            t += 10
        drawing.append(stroke)
    return drawing


def _dense_reference(strokes: list[list[list[float]]], spec: RasterSpec) -> np.ndarray:
    """The module docstring's formula, pixels × segments, with no culling."""
    kept = decimate(strokes, spec.max_points)
    pts = [p for stroke in kept for p in stroke]
    min_x, min_y = min(p[0] for p in pts), min(p[1] for p in pts)
    w, h = max(p[0] for p in pts) - min_x, max(p[1] for p in pts) - min_y
    scale = (spec.size - 2 * spec.padding) / max(w, h) if max(w, h) > 0 else 0.0

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] - min_x) * scale + (spec.size - w * scale) / 2, (p[1] - min_y) * scale + (spec.size - h * scale) / 2

    segments = []
    for stroke in kept:
        s = [to_px(p) for p in stroke]
        segments.extend([(s[0], s[0])] if len(s) == 1 else list(zip(s, s[1:])))
    out = np.zeros((spec.size, spec.size))
    for row in range(spec.size):
        for col in range(spec.size):
            px, py = col + 0.5, row + 0.5
            best = np.inf
            for (ax, ay), (bx, by) in segments:
                dx, dy = bx - ax, by - ay
                len2 = dx * dx + dy * dy
                u = 0.0 if len2 == 0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / len2))
                ex, ey = px - (ax + u * dx), py - (ay + u * dy)
                best = min(best, ex * ex + ey * ey)
            out[row, col] = min(1.0, max(0.0, spec.line_width / 2 + 0.5 - best**0.5))
    return out


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_rasterize_reproduces_the_shared_vectors(vector: dict) -> None:
    spec = RasterSpec.from_dict(VECTORS["spec"])
    got = rasterize(vector["strokes"], spec)
    assert np.abs(got - np.array(vector["expected"])).max() <= 1e-4


def test_the_vectors_pin_the_default_spec() -> None:
    assert RasterSpec.from_dict(VECTORS["spec"]) == DEFAULT_SPEC
    assert DEFAULT_SPEC.to_dict() == {"size": 32, "padding": 2, "line_width": 1.5, "max_points": 64}


@pytest.mark.parametrize("seed", range(12))
def test_the_fast_path_matches_the_documented_dense_formula(seed: int) -> None:
    rng = random.Random(seed)
    spec = RasterSpec(size=rng.choice([16, 28, 32]), padding=rng.randint(0, 3), line_width=rng.uniform(0.5, 3), max_points=rng.randint(2, 80))
    strokes = _random_drawing(rng, rng.randint(1, 6), 40)
    assert np.abs(rasterize(strokes, spec) - _dense_reference(strokes, spec)).max() <= 1e-6


def test_output_is_a_float32_square_in_zero_to_one() -> None:
    raster = rasterize(VECTORS["vectors"][0]["strokes"])
    assert raster.shape == (32, 32) and raster.dtype == np.float32
    assert raster.min() == 0.0 and raster.max() == 1.0


def test_batch_stacks_drawings_with_a_channel_axis() -> None:
    drawings = [v["strokes"] for v in VECTORS["vectors"]]
    batch = rasterize_batch(drawings, RasterSpec(size=28))
    assert batch.shape == (len(drawings), 1, 28, 28) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[2, 0], rasterize(drawings[2], RasterSpec(size=28)))


def test_a_two_to_one_rectangle_keeps_its_aspect_ratio() -> None:
    spec = RasterSpec(size=64, padding=2)
    left, top, right, bottom = _ink_box(rasterize(_rectangle(10, 10, 200, 100), spec))
    width, height = right - left, bottom - top
    assert width == 2 * height or abs(width / height - 2) < 0.05
    assert left == 64 - 1 - right, "centred horizontally"
    assert top == 64 - 1 - bottom, "centred vertically"


@pytest.mark.parametrize(("dx", "dy", "factor"), [(123.4, -56.7, 1.0), (0.0, 0.0, 3.7), (-900.0, 2000.0, 0.05)])
def test_the_same_drawing_moved_or_scaled_gives_the_same_raster(dx: float, dy: float, factor: float) -> None:
    for vector in VECTORS["vectors"]:
        moved = [[[x * factor + dx, y * factor + dy, t] for x, y, t in stroke] for stroke in vector["strokes"]]
        assert np.abs(rasterize(moved) - rasterize(vector["strokes"])).max() <= 1e-5, vector["name"]


@pytest.mark.parametrize("strokes", [
    [[[5, 5, 0]]],                              # a single point
    [[[5, 5, 0], [5, 5, 10], [5, 5, 20]]],      # a point held still
    [[[5, 5, 0]], [[5, 5, 100]]],               # two taps on the same spot
    [[[0, 5, 0], [300, 5, 10]]],                # horizontal, zero height
    [[[7, -40, 0], [7, 90, 10]], [[7, 200, 50]]],  # vertical, zero width
    [[(1e6, -1e6, 0), (1e6 + 1e-9, -1e6, 5)]],  # tuples, a tiny extent far out
])
def test_degenerate_drawings_rasterize_centred(strokes: list) -> None:
    raster = rasterize(strokes)
    assert np.isfinite(raster).all() and raster.max() > 0
    left, top, right, bottom = _ink_box(raster) if raster.max() >= 0.5 else (15, 15, 16, 16)
    assert abs((left + right) / 2 - 15.5) <= 1 and abs((top + bottom) / 2 - 15.5) <= 1


def test_a_dot_is_ink_at_the_centre() -> None:
    raster = rasterize([[[42, 42, 0]]])
    assert raster[15:17, 15:17].min() > 0.5
    assert raster.sum() < 4


def test_empty_input_is_refused() -> None:
    with pytest.raises(ValueError):
        rasterize([])
    with pytest.raises(ValueError):
        rasterize([[]])


def test_decimation_keeps_every_strokes_first_and_last_point_within_budget() -> None:
    strokes = [[[float(i), float(i % 7), i] for i in range(n)] for n in (500, 37, 1, 2, 130)]
    kept = decimate(strokes, 64)
    assert sum(len(s) for s in kept) <= 64
    for original, k in zip(strokes, kept):
        assert k[0] == (original[0][0], original[0][1])
        assert k[-1] == (original[-1][0], original[-1][1])


def test_short_drawings_are_not_decimated() -> None:
    strokes = [[[float(i), 0.0, i] for i in range(40)], [[0.0, float(i), i] for i in range(24)]]
    assert [len(s) for s in decimate(strokes, 64)] == [40, 24]


def test_decimation_uses_the_smallest_stride_that_fits() -> None:
    strokes = [[[float(i), 0.0, i] for i in range(129)]]
    assert len(decimate(strokes, 64)) == 1 and len(decimate(strokes, 64)[0]) == 44  # k = 3: 0..126, then 128
    assert len(decimate(strokes, 65)[0]) == 65  # k = 2 fits exactly


def test_more_strokes_than_the_budget_keep_their_ends_rather_than_vanish() -> None:
    strokes = [[[float(i), 0.0, i], [float(i), 5.0, i + 1], [float(i), 9.0, i + 2]] for i in range(50)]
    kept = decimate(strokes, 64)
    assert [len(s) for s in kept] == [2] * 50


def test_spec_round_trips_through_a_dict_and_refuses_partial_ones() -> None:
    spec = RasterSpec(size=28, padding=1, line_width=2.0, max_points=100)
    assert RasterSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    with pytest.raises(ValueError):
        RasterSpec.from_dict({"size": 28})
    with pytest.raises(ValueError):
        RasterSpec.from_dict({**spec.to_dict(), "antialias": True})
    with pytest.raises(ValueError):
        RasterSpec(size=4, padding=2)
