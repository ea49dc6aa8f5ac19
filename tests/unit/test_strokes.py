"""The stroke wire format at unit level: what `StrokeData` parses, what
`check_stroke_rules` refuses, and what `content_hash` identifies."""

from __future__ import annotations

import copy
from typing import Any

import pydantic
import pytest

from crowdsketch.errors import ValidationError
from crowdsketch.strokes import MAX_POINTS, StrokeData, check_stroke_rules
from tests.support.drawings import circle_strokes, square_strokes, stroke_data


def _parse(strokes: list[list[list[Any]]] | None = None, **overrides: Any) -> StrokeData:
    return StrokeData.model_validate(stroke_data(strokes, **overrides))


def _stroke(points: int, start_t: float = 0) -> list[list[Any]]:
    return [[float(i % 400), float(i // 400), start_t + i] for i in range(points)]


def _rule_failure(data: StrokeData, prefix: str = "strokeData") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_stroke_rules(data, prefix)
    return caught.value


# -- parsing ------------------------------------------------------------------------------


def test_a_valid_drawing_is_accepted_as_sent() -> None:
    data = _parse(circle_strokes(points=40), duration_ms=900, device="touch")

    check_stroke_rules(data)  # raises nothing

    assert data.canvas.width == data.canvas.height == 400
    assert len(data.strokes) == 1
    assert data.point_count == 41
    assert data.duration_ms == 900
    assert data.device == "touch"
    assert data.strokes[0][0] == (320.0, 200.0, 0.0)


@pytest.mark.parametrize("device", ["mouse", "touch", "pen"])
def test_each_device_is_accepted(device: str) -> None:
    assert _parse(device=device).device == device


def test_the_canvas_limits_are_inclusive() -> None:
    assert _parse(canvas={"width": 1, "height": 4096}).canvas.height == 4096
    for side in ({"width": 0, "height": 10}, {"width": 10, "height": 4097}):
        with pytest.raises(pydantic.ValidationError):
            _parse(canvas=side)


def test_a_coordinate_may_be_negative_or_fractional() -> None:
    """Ink that leaves the canvas is still ink; only t has a lower bound."""
    data = _parse([[[-5.5, 10.25, 0], [410, -3, 16]]])
    check_stroke_rules(data)
    assert data.strokes[0][0] == (-5.5, 10.25, 0.0)


@pytest.mark.parametrize(
    ("point", "location"),
    [
        pytest.param(["1", 2, 3], (0, 1, 0), id="string-coordinate"),
        pytest.param([1, False, 3], (0, 1, 1), id="boolean-coordinate"),
        pytest.param([1, float("nan"), 3], (0, 1, 1), id="nan"),
        pytest.param([float("inf"), 2, 3], (0, 1, 0), id="infinity"),
        pytest.param([1, 2, -0.5], (0, 1, 2), id="negative-t"),
        pytest.param([1, 2, float("inf")], (0, 1, 2), id="infinite-t"),
    ],
)
def test_a_bad_number_is_refused_at_its_path(point: list[Any], location: tuple[int, ...]) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _parse([[[0, 0, 0], point]])
    assert [error["loc"] for error in caught.value.errors()] == [("strokes", *location)]


def test_a_stroke_of_exactly_max_points_parses_and_one_more_does_not() -> None:
    assert _parse([_stroke(MAX_POINTS)]).point_count == MAX_POINTS
    with pytest.raises(pydantic.ValidationError) as caught:
        _parse([_stroke(MAX_POINTS + 1)])
    assert caught.value.errors()[0]["loc"] == ("strokes", 0)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        StrokeData.model_validate({**stroke_data(), "pressure": []})
    with pytest.raises(pydantic.ValidationError):
        _parse(canvas={"width": 400, "height": 400, "dpi": 2})


# -- the cross-point rules ----------------------------------------------------------------


def test_t_may_stay_the_same_between_points() -> None:
    """Two points in the same millisecond happen; the rule is non-decreasing."""
    check_stroke_rules(_parse([[[0, 0, 0], [1, 1, 16], [2, 2, 16], [3, 3, 16], [4, 4, 33]]]))


def test_t_may_start_again_lower_in_a_new_stroke() -> None:
    """The rule is per stroke: nothing is said about one stroke's t against another's."""
    check_stroke_rules(_parse([[[0, 0, 100], [1, 1, 120]], [[5, 5, 50], [6, 6, 60]]]))


def test_t_going_back_names_the_point_where_it_went_back() -> None:
    error = _rule_failure(_parse([[[0, 0, 0], [1, 1, 10], [2, 2, 20], [3, 3, 15], [4, 4, 30]]]))

    assert error.status_code == 400
    assert error.code == "VALIDATION_ERROR"
    assert error.details == [
        {"field": "strokeData.strokes[0][3][2]", "message": "t went back from 20 to 15 ms within a stroke"}
    ]
    assert error.message == "strokeData.strokes[0][3][2]: t went back from 20 to 15 ms within a stroke"


def test_each_stroke_that_goes_back_is_named_once() -> None:
    good = [[0, 0, 0], [1, 1, 10]]
    twice_back = [[0, 0, 50], [1, 1, 40], [2, 2, 30]]
    error = _rule_failure(_parse([good, twice_back, good, twice_back]))

    assert [detail["field"] for detail in error.details or []] == [
        "strokeData.strokes[1][1][2]",
        "strokeData.strokes[3][1][2]",
    ]


def test_at_most_twenty_faults_are_named() -> None:
    back = [[0, 0, 50], [1, 1, 40]]
    error = _rule_failure(_parse([copy.deepcopy(back) for _ in range(30)]))
    assert len(error.details or []) == 20
    assert (error.details or [])[-1]["field"] == "strokeData.strokes[19][1][2]"


def test_the_prefix_is_used_in_the_path() -> None:
    error = _rule_failure(_parse([[[0, 0, 10], [1, 1, 5]]]), prefix="items[2].strokeData")
    assert (error.details or [])[0]["field"] == "items[2].strokeData.strokes[0][1][2]"


def test_exactly_max_points_in_all_is_allowed() -> None:
    data = _parse([_stroke(5_000), _stroke(5_000, start_t=6_000)])
    assert data.point_count == MAX_POINTS
    check_stroke_rules(data)


def test_one_point_over_max_points_in_all_is_refused() -> None:
    data = _parse([_stroke(5_000), _stroke(5_001, start_t=6_000)])

    error = _rule_failure(data)

    assert error.details == [{"field": "strokeData.strokes", "message": "10001 points in all; at most 10000"}]


def test_the_point_limit_and_a_t_fault_are_both_named() -> None:
    data = _parse([_stroke(5_000), _stroke(5_000, start_t=6_000) + [[1, 1, 0]]])
    error = _rule_failure(data)
    assert [detail["field"] for detail in error.details or []] == [
        "strokeData.strokes",
        "strokeData.strokes[1][5000][2]",
    ]


# -- content_hash -------------------------------------------------------------------------


def test_content_hash_is_stable() -> None:
    first = _parse(circle_strokes())
    again = _parse(circle_strokes())

    assert first.content_hash() == first.content_hash() == again.content_hash()
    assert len(first.content_hash()) == 64
    int(first.content_hash(), 16)  # hexadecimal


def test_content_hash_does_not_depend_on_how_a_number_is_written() -> None:
    """1 and 1.0 are the same coordinate: a retry re-encoded by another client is the same drawing."""
    as_ints = _parse([[[120, 80, 0], [200, 90, 16]]])
    as_floats = _parse([[[120.0, 80.0, 0.0], [200.0, 90.0, 16.0]]])
    assert as_ints.content_hash() == as_floats.content_hash()


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(square_strokes(), id="another-shape"),
        pytest.param([[[320.01, 200, 0], *circle_strokes()[0][1:]]], id="one-coordinate-moved"),
        pytest.param([[*circle_strokes()[0][:-1], [*circle_strokes()[0][-1][:2], 801]]], id="one-t-changed"),
        pytest.param([circle_strokes()[0][:20], circle_strokes()[0][20:]], id="same-points-split-in-two-strokes"),
        pytest.param([list(reversed(circle_strokes()[0]))], id="points-reversed")
    ],
)
def test_content_hash_differs_for_different_strokes(other: list[list[list[Any]]]) -> None:
    base = _parse(circle_strokes())
    changed = StrokeData.model_validate({**stroke_data(circle_strokes()), "strokes": other})
    assert changed.strokes != base.strokes
    assert changed.content_hash() != base.content_hash()
