"""Synthetic drawings: valid wire data, deterministic for a seed, varied like people's."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from crowdsketch.strokes import StrokeData, check_stroke_rules
from crowdsketch.synthetic import SHAPES, synthetic_drawing, synthetic_drawings

DEFAULT_SHAPES = ("circle", "square", "rectangle", "triangle", "diamond", "hexagon",
                  "star", "line", "arrow", "check", "cross", "zigzag")


def _bbox(data: StrokeData) -> tuple[float, float, float, float]:
    xs = [p[0] for s in data.strokes for p in s]
    ys = [p[1] for s in data.strokes for p in s]
    return min(xs), min(ys), max(xs), max(ys)


def _samples(shape: str, n: int) -> list[StrokeData]:
    return [synthetic_drawing(shape, random.Random(f"variety:{shape}:{i}")) for i in range(n)]


def test_every_default_shape_has_a_generator() -> None:
    assert set(SHAPES) == set(DEFAULT_SHAPES)


@pytest.mark.parametrize("shape", DEFAULT_SHAPES)
def test_every_shape_gives_valid_stroke_data_for_many_seeds(shape: str) -> None:
    for seed in range(50):
        data = synthetic_drawing(shape, random.Random(seed))
        again = StrokeData.model_validate_json(data.canonical_json())
        check_stroke_rules(again)
        assert again == data
        assert data.device in ("mouse", "touch", "pen")
        width, height = data.canvas.width, data.canvas.height
        assert (width, height) == (400, 400) or (300 <= width <= 800 and 300 <= height <= 800)
        left, top, right, bottom = _bbox(data)
        assert -0.05 * width < left and right < 1.05 * width and -0.05 * height < top and bottom < 1.05 * height
        assert max(right - left, bottom - top) > 0.15 * min(width, height), "big enough to see"
        assert data.point_count >= 8


@pytest.mark.parametrize("shape", DEFAULT_SHAPES)
def test_timing_is_human_like(shape: str) -> None:
    for seed in range(30):
        data = synthetic_drawing(shape, random.Random(seed))
        assert data.strokes[0][0][2] == 0
        previous_end = None
        for stroke in data.strokes:
            times = [p[2] for p in stroke]
            assert times == sorted(times)
            gaps = [b - a for a, b in zip(times, times[1:])]
            assert all(4 <= g <= 22 for g in gaps), "sampled every few ms, as pointer events arrive"
            if previous_end is not None:
                assert stroke[0][2] - previous_end >= 100, "the pen pauses between strokes"
            previous_end = stroke[-1][2]
        assert data.duration_ms == data.strokes[-1][-1][2]
        assert 150 <= data.duration_ms <= 20_000


def test_speed_is_uneven_along_a_stroke() -> None:
    data = synthetic_drawing("square", random.Random(3))
    stroke = max(data.strokes, key=len)
    speeds = [math.hypot(b[0] - a[0], b[1] - a[1]) / (b[2] - a[2]) for a, b in zip(stroke, stroke[1:]) if b[2] > a[2]]
    assert max(speeds) > 2.5 * (sorted(speeds)[len(speeds) // 10] + 1e-9)


def test_the_same_seed_gives_the_same_drawings() -> None:
    first = synthetic_drawings(DEFAULT_SHAPES, 3, seed=7)
    second = synthetic_drawings(DEFAULT_SHAPES, 3, seed=7)
    assert [(s, d.canonical_json()) for s, d in first] == [(s, d.canonical_json()) for s, d in second]
    other = synthetic_drawings(DEFAULT_SHAPES, 3, seed=8)
    assert [d.canonical_json() for _, d in first] != [d.canonical_json() for _, d in other]


def test_drawings_are_grouped_by_shape_and_independent_of_the_others() -> None:
    drawings = synthetic_drawings(["star", "line"], 4, seed=1)
    assert [s for s, _ in drawings] == ["star"] * 4 + ["line"] * 4
    alone = synthetic_drawings(["line"], 4, seed=1)
    assert [d for _, d in drawings[4:]] == [d for _, d in alone]


def test_an_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        synthetic_drawing("pentagon", random.Random(0))


@pytest.mark.parametrize(("shape", "counts"), [
    ("square", {1, 2, 4}), ("cross", {1, 2}), ("arrow", {1, 2, 3}), ("circle", {1, 2}), ("triangle", {1, 2, 3}),
])
def test_stroke_counts_vary_like_peoples(shape: str, counts: set[int]) -> None:
    seen = Counter(len(d.strokes) for d in _samples(shape, 200))
    assert counts <= set(seen), seen
    assert seen.most_common(1)[0][0] in counts


@pytest.mark.parametrize("shape", DEFAULT_SHAPES)
def test_start_points_devices_and_canvases_vary(shape: str) -> None:
    drawings = _samples(shape, 60)
    starts = set()
    for d in drawings:
        left, top, right, bottom = _bbox(d)
        x, y = d.strokes[0][0][0], d.strokes[0][0][1]
        side = max(right - left, bottom - top)
        starts.add((round((x - left) / side * 3), round((y - top) / side * 3)))
    assert len(starts) >= 3, "the pen starts in different places relative to the shape"
    assert {d.device for d in drawings} == {"mouse", "touch", "pen"}
    assert len({(d.canvas.width, d.canvas.height) for d in drawings}) > 5


def test_rectangles_are_elongated_and_squares_are_not() -> None:
    def aspect(d: StrokeData) -> float:
        left, top, right, bottom = _bbox(d)
        w, h = right - left, bottom - top
        return max(w, h) / min(w, h)

    squares = sorted(aspect(d) for d in _samples("square", 100))
    rectangles = sorted(aspect(d) for d in _samples("rectangle", 100))
    assert squares[90] < 1.25 and squares[50] < 1.1
    assert rectangles[10] > 1.12 and rectangles[50] > 1.35


def test_zigzags_and_lines_point_in_many_directions() -> None:
    def direction(d: StrokeData) -> float:
        first, last = d.strokes[0][0], d.strokes[-1][-1]
        return math.degrees(math.atan2(last[1] - first[1], last[0] - first[0])) % 360

    for shape in ("line", "zigzag"):
        quadrants = {int(direction(d) // 90) for d in _samples(shape, 80)}
        assert len(quadrants) == 4, shape
