"""The quality score: a drawing's geometry alone, in [0, 1], higher for the drawings a
curator wants to keep."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdsketch.collection.quality import quality_score
from crowdsketch.strokes import MAX_CANVAS_PX, StrokeData
from tests.support.drawings import circle_strokes, stroke_data


def _drawing(strokes: list[list[list[Any]]], **overrides: Any) -> StrokeData:
    return StrokeData.model_validate(stroke_data(strokes, **overrides))


def _arc(degrees: float, cx: float = 200, cy: float = 200, r: float = 120, points: int = 40) -> list[list[list[float]]]:
    """One stroke along a circle's arc, from angle 0 to `degrees`."""
    step = math.radians(degrees) / points
    return [[[round(cx + r * math.cos(step * i), 2), round(cy + r * math.sin(step * i), 2), i * 20] for i in range(points + 1)]]


def _line(points: int = 41) -> list[list[list[float]]]:
    return [[[50 + i * 7, 200, i * 20] for i in range(points)]]


def _four_stroke_square(x: float = 80, y: float = 80, side: float = 240, points_per_side: int = 6) -> list[list[list[float]]]:
    """Each side a stroke of its own, drawn clockwise, the last ending where the first began."""
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
    strokes, t = [], 0
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        stroke = []
        for i in range(points_per_side):
            f = i / (points_per_side - 1)
            stroke.append([x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, t])
            t += 20
        strokes.append(stroke)
        t += 150  # the pen lifts between sides
    return strokes


TINY_DOT = [[[200, 200, 0], [201, 201, 10], [202, 200, 20]]]


# -- the range ----------------------------------------------------------------------------

_coordinate = st.floats(min_value=-500, max_value=5000, allow_nan=False, allow_infinity=False)
_stroke = st.lists(st.tuples(_coordinate, _coordinate), min_size=1, max_size=30).map(
    lambda points: [[x, y, i * 10] for i, (x, y) in enumerate(points)]
)


@st.composite
def _any_drawing(draw: st.DrawFn) -> StrokeData:
    return StrokeData.model_validate({
        "canvas": {
            "width": draw(st.integers(1, MAX_CANVAS_PX)),
            "height": draw(st.integers(1, MAX_CANVAS_PX)),
        },
        "strokes": draw(st.lists(_stroke, min_size=1, max_size=40)),
        "duration_ms": draw(st.integers(0, 24 * 3600 * 1000)),
        "device": draw(st.sampled_from(["mouse", "touch", "pen"])),
    })


@settings(max_examples=300, deadline=None)
@given(data=_any_drawing(), closed=st.booleans())
def test_any_valid_drawing_scores_between_0_and_1(data: StrokeData, closed: bool) -> None:
    score = quality_score(data, closed)
    assert isinstance(score, float)
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize(
    "strokes",
    [
        pytest.param([[[200, 200, 0]]], id="a-single-point"),
        pytest.param([[[200, 200, 0], [200, 200, 10]]], id="two-points-in-one-place"),
        pytest.param([[[0, 0, 0]], [[0, 0, 10]]], id="two-one-point-strokes-in-one-place"),
    ],
)
def test_degenerate_ink_still_scores_in_range(strokes: list[list[list[Any]]], closed: bool) -> None:
    assert 0.0 <= quality_score(_drawing(strokes, duration_ms=0), closed) < 0.3


# -- what scores well, and what does not --------------------------------------------------


def test_a_clean_one_stroke_circle_scores_above_0_9() -> None:
    assert quality_score(_drawing(circle_strokes(), duration_ms=900), closed=True) > 0.9


def test_an_unclosed_c_scores_lower_as_a_closed_shape_than_a_closed_circle() -> None:
    circle = quality_score(_drawing(circle_strokes(), duration_ms=900), closed=True)
    c_shape = quality_score(_drawing(_arc(270), duration_ms=900), closed=True)

    assert c_shape < circle
    assert c_shape <= 0.8


def test_the_closer_the_ends_the_higher_the_score() -> None:
    scores = [quality_score(_drawing(_arc(degrees), duration_ms=900), closed=True) for degrees in (240, 290, 320, 360)]
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)


def test_closure_is_ignored_for_an_open_shape() -> None:
    line = _drawing(_line(), duration_ms=900)
    c_shape = _drawing(_arc(270), duration_ms=900)

    assert quality_score(line, closed=False) > 0.9
    assert quality_score(c_shape, closed=False) > 0.9
    # The same ink judged as a closed shape loses for its open ends.
    assert quality_score(line, closed=True) < quality_score(line, closed=False)


def test_a_four_stroke_square_that_ends_where_it_began_scores_high() -> None:
    square = _drawing(_four_stroke_square(), duration_ms=1500)
    assert quality_score(square, closed=True) > 0.9


def test_a_four_stroke_square_left_open_scores_lower() -> None:
    closed = _four_stroke_square()
    open_square = closed[:3] + [[point for point in closed[3] if point[1] > 200]]  # the left side stops halfway

    assert quality_score(_drawing(open_square, duration_ms=1500), closed=True) < quality_score(
        _drawing(closed, duration_ms=1500), closed=True
    )


def test_a_final_tap_does_not_close_an_open_shape() -> None:
    """The last point drawn must land near another stroke's end; a one-point stroke (a tap)
    is its own end, and must not count as closing the C that came before it."""
    c_shape = _arc(270)  # from (320, 200) round to (200, 80): the gap is half the ink's diagonal
    tapped = c_shape + [[[115.15, 284.85, 900]]]  # a tap on the C's far side, away from both its ends

    without_tap = quality_score(_drawing(c_shape, duration_ms=900), closed=True)
    with_tap = quality_score(_drawing(tapped, duration_ms=900), closed=True)

    assert with_tap <= without_tap == 0.75
    assert with_tap < quality_score(_drawing(circle_strokes(), duration_ms=900), closed=True)


@pytest.mark.parametrize("closed", [True, False])
def test_a_tiny_dot_scores_low(closed: bool) -> None:
    assert quality_score(_drawing(TINY_DOT, duration_ms=20), closed) < 0.3


def test_a_small_circle_scores_lower_than_a_large_one() -> None:
    small = quality_score(_drawing(circle_strokes(r=10), duration_ms=900), closed=True)
    large = quality_score(_drawing(circle_strokes(r=120), duration_ms=900), closed=True)
    assert small < large


def test_a_scribble_of_many_strokes_scores_lower() -> None:
    strokes = [[[50 + 10 * i, 50, 40 * i], [50 + 10 * i, 350, 40 * i + 20]] for i in range(30)]
    assert quality_score(_drawing(strokes, duration_ms=1500), closed=False) < 0.9


@pytest.mark.parametrize("duration_ms", [10, 200_000], ids=["too-fast", "too-slow"])
def test_a_drawing_made_too_fast_or_too_slow_scores_lower(duration_ms: int) -> None:
    normal = quality_score(_drawing(circle_strokes(), duration_ms=900), closed=True)
    assert quality_score(_drawing(circle_strokes(), duration_ms=duration_ms), closed=True) < normal


def test_the_canvas_sets_the_scale() -> None:
    """The same ink is a good drawing on a small canvas and a speck on a huge one."""
    ink = circle_strokes(cx=60, cy=60, r=50)
    on_small = quality_score(_drawing(ink, duration_ms=900, canvas={"width": 200, "height": 200}), closed=True)
    on_huge = quality_score(_drawing(ink, duration_ms=900, canvas={"width": 4096, "height": 4096}), closed=True)
    assert on_huge < on_small


def test_the_score_is_deterministic() -> None:
    for strokes in (circle_strokes(), _arc(270), _four_stroke_square(), TINY_DOT):
        first = _drawing(strokes, duration_ms=700)
        again = _drawing(strokes, duration_ms=700)
        scores = {quality_score(first, True), quality_score(first, True), quality_score(again, True)}
        assert len(scores) == 1
        assert round(scores.pop(), 3) == quality_score(first, True)  # at most three decimals
