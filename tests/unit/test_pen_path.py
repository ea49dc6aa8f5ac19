"""The pen's path, a model's second input: pinned by shared test vectors, and its properties."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdsketch.pen_path import DEFAULT_PATH_SPEC, FEATURES, PathSpec, path_batch, path_features
from crowdsketch.raster import decimate

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "pen_path.json").read_text())
BY_NAME = {vector["name"]: vector["strokes"] for vector in VECTORS["vectors"]}
EXPECTED = {vector["name"]: np.array(vector["expected"]) for vector in VECTORS["vectors"]}

Strokes = list[list[list[float]]]


def _strokes(coordinate: st.SearchStrategy[float], max_strokes: int = 6, max_points: int = 40) -> st.SearchStrategy[Strokes]:
    point = st.tuples(coordinate, coordinate, st.integers(0, 10**6)).map(list)
    return st.lists(st.lists(point, min_size=1, max_size=max_points), min_size=1, max_size=max_strokes)


# Integer coordinates: the ink's box is at least 1 across, so nothing overflows, and a shift
# by whole numbers or a scale by a power of two is exact in doubles.
GRID_DRAWINGS = _strokes(st.integers(-500, 500).map(float))
# Any finite double, the float limit and subnormals included.
ANY_DRAWINGS = _strokes(st.floats(allow_nan=False, allow_infinity=False), max_strokes=4, max_points=12)
SPECS = st.builds(PathSpec, points=st.integers(2, 64), max_points=st.integers(2, 160))


def _has_length(strokes: Strokes, spec: PathSpec) -> bool:
    return any(a != b for stroke in decimate(strokes, spec.max_points) for a, b in zip(stroke, stroke[1:]))


def _assert_well_formed(out: np.ndarray, strokes: Strokes, spec: PathSpec) -> None:
    assert out.shape == (FEATURES, spec.points)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert np.abs(out[:2]).max() <= 1.0
    assert set(np.unique(out[4])) <= {0.0, 1.0}
    assert out[4].sum() <= len(strokes)


# -- the shared vectors -------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_path_features_reproduce_the_shared_vectors(vector: dict) -> None:
    spec = PathSpec.from_dict(VECTORS["spec"])
    got = path_features(vector["strokes"], spec)
    assert np.abs(got - np.array(vector["expected"])).max() <= VECTORS["tolerance"]


def test_the_vectors_pin_the_default_spec() -> None:
    assert PathSpec.from_dict(VECTORS["spec"]) == DEFAULT_PATH_SPEC
    assert DEFAULT_PATH_SPEC.to_dict() == {"points": 32, "max_points": 128}
    assert VECTORS["tolerance"] <= 1e-5


def test_extreme_vectors_are_what_the_docstring_says() -> None:
    # An extent past the float limit: halved first, as the raster does, so the line survives.
    cross = EXPECTED["extent_overflow"]  # two strokes, each across the whole float range
    np.testing.assert_allclose(cross[0, :16], (np.arange(16) + 0.5) / 8 - 1, atol=1e-6)
    assert (cross[2, :16] == 1).all() and (cross[3, 16:] == 1).all() and cross[4].sum() == 2
    # A box near the limit: its centre is minX + w / 2, which does not overflow.
    assert np.isfinite(EXPECTED["centre_overflow"]).all() and EXPECTED["centre_overflow"][0].any()
    # A box under about 1e-307 across: the scale overflows, so it is a dot.
    assert EXPECTED["subnormal_box"][4, 0] == 1 and EXPECTED["subnormal_box"].sum() == 1
    dot = path_features(BY_NAME["dot_only"])
    assert dot[4, 0] == 1 and dot.sum() == 1
    far = path_features([[[1e308, 0, 0]]])  # a dot far out is a dot too
    assert far[4, 0] == 1 and far.sum() == 1


# -- worked cases ---------------------------------------------------------------------------


def test_a_straight_line_is_sampled_evenly_with_its_direction() -> None:
    out = path_features([[[0, 0, 0], [8, 0, 5]]], PathSpec(points=4, max_points=16))
    np.testing.assert_array_equal(out, [[-0.75, -0.25, 0.25, 0.75], [0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]])


def test_the_order_of_the_moves_tells_a_retraced_arrow_from_the_same_ink_drawn_otherwise() -> None:
    arrow = BY_NAME["arrow_retracing"]
    (shaft_start, tip, barb1, _, barb2) = [p[:2] for p in arrow[0]]
    three_strokes = [[shaft_start + [0], tip + [1]], [tip + [2], barb1 + [3]], [tip + [4], barb2 + [5]]]
    one, three = path_features(arrow), path_features(three_strokes)
    assert one[4].sum() == 1 and three[4].sum() == 3
    assert not np.allclose(one[2:4], three[2:4])  # back to the tip: the pen moves the other way


def test_a_stroke_of_one_point_adds_no_length_and_no_flag() -> None:
    strokes = BY_NAME["one_point_stroke_among_others"]
    without = [strokes[0], strokes[2]]
    out = path_features(strokes)
    assert out[4].sum() == 2
    # Only the box changes: the dot widens it, so the same samples sit at other X.
    assert np.abs(out[2:] - path_features(without)[2:]).max() <= 1e-6


def test_zero_length_segments_are_never_sampled() -> None:
    out = path_features(BY_NAME["duplicate_points"])
    np.testing.assert_allclose(np.hypot(out[2], out[3]), 1.0, atol=1e-6)


@pytest.mark.parametrize("name", ["circle_one_stroke", "square_four_strokes", "pentagram_one_stroke", "arrow_retracing", "spiral_decimated", "negative_coordinates"])
@pytest.mark.parametrize(("factor", "shift"), [(3.7, (-123.45, 987.6)), (0.013, (1e5, -1e5)), (1234.5, (0.1, 0.2)), (1e-200, (0.0, 0.0))])
def test_translation_and_uniform_scale_change_nothing(name: str, factor: float, shift: tuple[float, float]) -> None:
    strokes = BY_NAME[name]
    moved = [[[x * factor + shift[0], y * factor + shift[1], t] for x, y, t in stroke] for stroke in strokes]
    np.testing.assert_allclose(path_features(moved), path_features(strokes), rtol=0, atol=1e-5)


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(strokes=GRID_DRAWINGS, spec=SPECS)
def test_any_grid_drawing_gives_well_formed_features(strokes: Strokes, spec: PathSpec) -> None:
    out = path_features(strokes, spec)
    _assert_well_formed(out, strokes, spec)
    assert out[4, 0] == 1
    lengths = np.hypot(out[2].astype(np.float64), out[3].astype(np.float64))
    if _has_length(strokes, spec):
        np.testing.assert_allclose(lengths, 1.0, atol=1e-6)
        assert out[4].sum() <= sum(1 for stroke in decimate(strokes, spec.max_points) if len(set(stroke)) > 1)
    else:  # dots only: every row 0 but the first sample's flag
        assert out.sum() == 1


@settings(max_examples=300, deadline=None)
@given(strokes=ANY_DRAWINGS, spec=SPECS)
def test_any_finite_coordinates_give_finite_features(strokes: Strokes, spec: PathSpec) -> None:
    out = path_features(strokes, spec)
    _assert_well_formed(out, strokes, spec)
    assert out[4, 0] == 1 or not out.any()  # all zeros where a value was not finite


@settings(max_examples=200, deadline=None)
@given(strokes=GRID_DRAWINGS, spec=SPECS, dx=st.integers(-10**6, 10**6), dy=st.integers(-10**6, 10**6), power=st.integers(-40, 40))
def test_shifting_and_scaling_a_grid_drawing_changes_nothing(strokes: Strokes, spec: PathSpec, dx: int, dy: int, power: int) -> None:
    factor = math.ldexp(1.0, power)
    moved = [[[(x + dx) * factor, (y + dy) * factor, t] for x, y, t in stroke] for stroke in strokes]
    np.testing.assert_allclose(path_features(moved, spec), path_features(strokes, spec), rtol=0, atol=1e-5)


@settings(max_examples=100, deadline=None)
@given(strokes=GRID_DRAWINGS, times=st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1))
def test_the_time_of_each_point_is_ignored(strokes: Strokes, times: list[float]) -> None:
    retimed = [[[x, y, times[(i + j) % len(times)]] for j, (x, y, _) in enumerate(stroke)] for i, stroke in enumerate(strokes)]
    np.testing.assert_array_equal(path_features(retimed), path_features(strokes))
    np.testing.assert_array_equal(path_features([[p[:2] for p in stroke] for stroke in strokes]), path_features(strokes))


# -- the spec and the batch -------------------------------------------------------------------


def test_the_spec_round_trips_and_refuses_missing_or_unknown_keys() -> None:
    spec = PathSpec(points=16, max_points=64)
    assert PathSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="missing"):
        PathSpec.from_dict({"points": 16})
    with pytest.raises(ValueError, match="unknown"):
        PathSpec.from_dict({"points": 16, "max_points": 64, "size": 32})
    for bad in ({"points": 1, "max_points": 64}, {"points": 16, "max_points": 1}):
        with pytest.raises(ValueError):
            PathSpec.from_dict(bad)


@pytest.mark.parametrize("strokes", [[], [[]], [[[1, 2, 0]], []]])
def test_an_empty_drawing_or_stroke_is_refused(strokes: Strokes) -> None:
    with pytest.raises(ValueError):
        path_features(strokes)


def test_path_batch_stacks_each_drawings_features() -> None:
    drawings = [vector["strokes"] for vector in VECTORS["vectors"]]
    spec = PathSpec(points=12, max_points=40)
    batch = path_batch(drawings, spec)
    assert batch.shape == (len(drawings), FEATURES, 12) and batch.dtype == np.float32
    for drawing, row in zip(drawings, batch):
        np.testing.assert_array_equal(row, path_features(drawing, spec))
    assert path_batch([], spec).shape == (0, FEATURES, 12)
