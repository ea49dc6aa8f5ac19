"""Properties of the stroke validator and the rasterizer over any input: a payload either
validates and rasterizes to a finite (size, size) raster in [0, 1] with some ink on it, or
is refused with errors that name each field at fault. Nothing else: no other exception."""

from __future__ import annotations

from typing import Any

import numpy as np
import pydantic
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crowdsketch.errors import ValidationError
from crowdsketch.raster import RasterSpec, rasterize
from crowdsketch.strokes import StrokeData, check_stroke_rules
from tests.fuzz.strategies import COORDINATE, stroke_payloads, strokes

# Payloads reach the size limits (10,000 points), so generation is allowed to be slow.
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

specs = st.builds(
    RasterSpec,
    size=st.integers(4, 64),
    padding=st.integers(0, 1),
    # A dot inks the pixels whose centres are within line_width / 2 + 0.5 of it, and the
    # nearest centre is at most √2 / 2 away: from 0.5 on, every drawing leaves ink.
    line_width=st.floats(0.5, 8),
    max_points=st.integers(2, 200),
)


def _assert_a_raster(raster: np.ndarray, spec: RasterSpec) -> None:
    assert raster.shape == (spec.size, spec.size)
    assert raster.dtype == np.float32
    assert np.isfinite(raster).all()
    assert raster.min() >= 0 and raster.max() <= 1
    assert raster.max() > 0, "a drawing left no ink"


def _validated(payload: Any) -> StrokeData | list[dict[str, Any]]:
    """The drawing, or the per-field errors it was refused with."""
    try:
        data = StrokeData.model_validate(payload)
        check_stroke_rules(data)
    except pydantic.ValidationError as refused:
        return [{"field": ".".join(map(str, error["loc"])) or "strokeData", "message": error["msg"]}
                for error in refused.errors()]
    except ValidationError as refused:
        assert refused.status_code == 400
        return refused.details or []
    return data


@FUZZ
@given(payload=stroke_payloads())
def test_any_stroke_payload_rasterizes_or_is_refused_naming_each_field(payload: Any) -> None:
    outcome = _validated(payload)
    if isinstance(outcome, StrokeData):
        _assert_a_raster(rasterize(outcome.strokes), RasterSpec())
        return
    assert outcome, "refused without saying why"
    for detail in outcome:
        assert isinstance(detail["field"], str) and isinstance(detail["message"], str) and detail["message"]


@FUZZ
@given(drawing=strokes(max_strokes=10, max_points=60), spec=specs)
def test_any_valid_drawing_rasterizes_under_any_spec(drawing: list[list[list[float]]], spec: RasterSpec) -> None:
    _assert_a_raster(rasterize(drawing, spec), spec)


@settings(max_examples=300, deadline=None)
@given(ax=COORDINATE, ay=COORDINATE, bx=COORDINATE, by=COORDINATE)
@example(ax=-1.7976931348623157e308, ay=0.0, bx=1.7976931348623157e308, by=0.0)  # the span overflows
@example(ax=0.0, ay=0.0, bx=5e-324, by=0.0)  # the scale overflows
def test_a_line_between_any_two_finite_points_leaves_ink(ax: float, ay: float, bx: float, by: float) -> None:
    """The extremes on their own: spans past the largest double, and spans too small for
    the scale to be a double (each gave a blank raster once)."""
    _assert_a_raster(rasterize([[[ax, ay, 0], [bx, by, 1]]]), RasterSpec())
