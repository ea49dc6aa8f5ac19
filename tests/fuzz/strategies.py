"""Hypothesis strategies for stroke data that may be anything: valid drawings at the edges
of what numbers can be, and the same drawings with things broken in them (wrong types,
NaN and infinities, huge and negative numbers, empty lists, deep nesting, `t` going back,
too many points or strokes, missing and extra keys), or plain JSON-ish junk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from crowdsketch.strokes import MAX_CANVAS_PX, MAX_POINTS, MAX_STROKES

FINITE = st.floats(allow_nan=False, allow_infinity=False)
# The doubles at the ends of the range, drawn often: two of them make a span that overflows
# (±1.8e308) or one too small for its inverse to be a double (subnormals).
EXTREME = st.sampled_from([
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -1e-300, 1.0, 1e300, -1e308,
    1.7976931348623157e308, -1.7976931348623157e308,
])
COORDINATE = st.one_of(FINITE, EXTREME, st.floats(min_value=-5_000, max_value=5_000), st.integers(-10**6, 10**6))
NON_FINITE = st.sampled_from([float("nan"), float("inf"), float("-inf")])
ANY_NUMBER = st.one_of(st.integers(), st.floats(), st.integers(min_value=-(10**400), max_value=10**400))
JSON_LEAF = st.one_of(st.none(), st.booleans(), ANY_NUMBER, st.text(max_size=8))
JUNK = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def nested(depth: int) -> Any:
    """[[[...[0]...]]], `depth` lists deep."""
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


# Deep enough to matter, shallow enough for json.dumps and repr; the HTTP test also sends
# raw JSON nested far deeper.
DEEP = st.integers(min_value=1, max_value=500).map(nested)
WRONG = st.one_of(JUNK, NON_FINITE, DEEP, st.just([]), st.just({}), st.just(""))


@st.composite
def strokes(draw: st.DrawFn, max_strokes: int = 6, max_points: int = 30) -> list[list[list[float]]]:
    """Valid strokes: finite coordinates of any size (subnormal to ±1.8e308), `t` never
    going back within a stroke."""
    drawing = []
    for _ in range(draw(st.integers(min_value=1, max_value=max_strokes))):
        n = draw(st.integers(min_value=1, max_value=max_points))
        times = sorted(draw(st.lists(st.floats(min_value=0, max_value=1e12) | st.integers(0, 10**9),
                                     min_size=n, max_size=n)))
        drawing.append([[draw(COORDINATE), draw(COORDINATE), t] for t in times])
    return drawing


@st.composite
def valid_stroke_data(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "canvas": {"width": draw(st.integers(1, MAX_CANVAS_PX)), "height": draw(st.integers(1, MAX_CANVAS_PX))},
        "strokes": draw(strokes()),
        "duration_ms": draw(st.integers(0, 24 * 3600 * 1000)),
        "device": draw(st.sampled_from(["mouse", "touch", "pen"])),
    }


# -- breaking a valid drawing ---------------------------------------------------------------

Mutation = Callable[[st.DrawFn, dict[str, Any]], None]


def _pick_point(draw: st.DrawFn, data: dict[str, Any]) -> list[Any]:
    stroke = draw(st.sampled_from(data["strokes"]))
    return draw(st.sampled_from(stroke))


def _bad_canvas(draw: st.DrawFn, data: dict[str, Any]) -> None:
    key = draw(st.sampled_from(["width", "height"]))
    data["canvas"][key] = draw(st.one_of(
        st.sampled_from([0, -1, MAX_CANVAS_PX + 1, 10**20, 1.5, 400.0, "400", True]), WRONG))


def _bad_coordinate(draw: st.DrawFn, data: dict[str, Any]) -> None:
    point = _pick_point(draw, data)
    point[draw(st.integers(0, 2))] = draw(st.one_of(NON_FINITE, st.integers(-(10**400), 10**400), WRONG))


def _negative_t(draw: st.DrawFn, data: dict[str, Any]) -> None:
    _pick_point(draw, data)[2] = draw(st.floats(max_value=-1e-300, allow_nan=False) | st.integers(max_value=-1))


def _t_going_back(draw: st.DrawFn, data: dict[str, Any]) -> None:
    stroke = draw(st.sampled_from(data["strokes"]))
    stroke.append([0, 0, stroke[-1][2]])
    stroke.append([1, 1, draw(st.floats(min_value=0, max_value=stroke[-1][2], exclude_max=True))
                   if stroke[-1][2] > 0 else -1])


def _bad_point(draw: st.DrawFn, data: dict[str, Any]) -> None:
    stroke = draw(st.sampled_from(data["strokes"]))
    stroke[draw(st.integers(0, len(stroke) - 1))] = draw(st.one_of(
        st.lists(FINITE, max_size=5).filter(lambda p: len(p) != 3), WRONG))


def _bad_stroke(draw: st.DrawFn, data: dict[str, Any]) -> None:
    data["strokes"][draw(st.integers(0, len(data["strokes"]) - 1))] = draw(WRONG)


def _bad_strokes(draw: st.DrawFn, data: dict[str, Any]) -> None:
    data["strokes"] = draw(WRONG)


def _too_many_strokes(draw: st.DrawFn, data: dict[str, Any]) -> None:
    data["strokes"] = [[[i, i, 0]] for i in range(draw(st.integers(MAX_STROKES + 1, MAX_STROKES + 20)))]


def _too_many_points(draw: st.DrawFn, data: dict[str, Any]) -> None:
    total = draw(st.integers(MAX_POINTS + 1, MAX_POINTS + 50))
    pieces = draw(st.integers(1, 3))
    data["strokes"] = [[[i % 400, i // 400, i] for i in range(total // pieces + 1)] for _ in range(pieces)]


def _bad_duration(draw: st.DrawFn, data: dict[str, Any]) -> None:
    data["duration_ms"] = draw(st.one_of(st.sampled_from([-1, 24 * 3600 * 1000 + 1, 1.5, "900"]), WRONG))


def _bad_device(draw: st.DrawFn, data: dict[str, Any]) -> None:
    data["device"] = draw(st.one_of(st.text(max_size=8), WRONG))


def _missing_key(draw: st.DrawFn, data: dict[str, Any]) -> None:
    del data[draw(st.sampled_from(sorted(data)))]


def _extra_key(draw: st.DrawFn, data: dict[str, Any]) -> None:
    target = draw(st.sampled_from([data, data["canvas"]]))
    target[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)


# Applied in this order, so that each finds the shape it expects: points first, then whole
# strokes, then the other fields, then the changes that replace or remove a whole field.
MUTATIONS: list[Mutation] = [
    _t_going_back, _negative_t, _bad_coordinate, _bad_point, _bad_stroke,
    _bad_canvas, _bad_duration, _bad_device, _extra_key,
    _bad_strokes, _too_many_strokes, _too_many_points, _missing_key,
]


@st.composite
def stroke_payloads(draw: st.DrawFn) -> Any:
    """Anything in a `strokeData` field: a valid drawing, one with up to three things
    broken, or junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JUNK)
    data = draw(valid_stroke_data())
    chosen = draw(st.lists(st.integers(0, len(MUTATIONS) - 1), max_size=3))
    for index in sorted(chosen):
        try:
            MUTATIONS[index](draw, data)
        except (KeyError, TypeError, IndexError):
            pass  # an earlier mutation replaced what this one would change with junk
    return data
