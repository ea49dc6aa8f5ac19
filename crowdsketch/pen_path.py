"""Strokes → the pen's path as the model's second input: the order the raster throws away.

A raster shows where the ink is, not how it got there. An arrow drawn in one stroke (shaft,
out to a barb, back to the tip, out to the other) and a zigzag can leave much the same ink;
the order of the pen's moves tells them apart. So a model may also read the path: `points`
samples spaced evenly along the inked length, each with where it is, which way the pen was
moving, and whether a new stroke starts there.

Training, server inference, evaluation and the browser compute it with this module or a
port of it that reproduces `tests/vectors/pen_path.json`, in plain IEEE double arithmetic
in this order:

1. **Decimate** the strokes as `raster.py` does, with this spec's `max_points`.
2. **Normalise.** Over the kept points, w = maxX − minX, h = maxY − minY (when w or h
   overflows, every coordinate is halved first, as in `raster.py`), side = max(w, h),
   scale = 2 / side, or 0 when side is 0 or the scale overflows (a box under about 1e-307
   across); (cx, cy) = (minX + w / 2, minY + h / 2); X = (x − cx) · scale, the same for
   Y with cy: the ink's box is scaled uniformly to span [−1, 1] along its longer side,
   centred on 0; a dot is X = Y = 0.
3. **Segments.** Consecutive kept points of a stroke make segments, in drawing order,
   each with its length L = sqrt(dx² + dy²); the cumulative lengths
   C₀ = 0, C_{j+1} = C_j + L_j, and the total T. A one-point stroke has no segment.
4. **Sample.** For i = 0 .. points − 1, t = (i + 0.5) · T / points; the sample's segment
   is the first j with C_{j+1} ≥ t; u = clamp((t − C_j) / L_j, 0, 1); the sample is
   (X, Y) = A + u · (B − A), its direction (B − A) / L_j, and its flag 1 when its
   segment's stroke differs from the previous sample's (the first sample's flag is 1).
5. The features are float32 (5, points): rows X, Y, direction x, direction y, flag.
   When T is 0 (dots only) every row is 0 but the first sample's flag.

The `t` of each point is ignored, as in the raster: speed varies more between people than
between shapes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np

from crowdsketch.raster import StrokesLike, decimation_step

FEATURES = 5


@dataclass(frozen=True)
class PathSpec:
    """Everything that decides the path features; in the model card as `to_dict()`."""

    points: int = 32
    max_points: int = 128

    def __post_init__(self) -> None:
        if self.points < 2:
            raise ValueError(f"points must be at least 2, got {self.points}")
        if self.max_points < 2:
            raise ValueError(f"max_points must be at least 2, got {self.max_points}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PathSpec:
        names = {f.name for f in fields(cls)}
        missing, unknown = names - data.keys(), data.keys() - names
        if missing or unknown:
            raise ValueError(f"path spec: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return cls(points=int(data["points"]), max_points=int(data["max_points"]))


DEFAULT_PATH_SPEC = PathSpec()


@lru_cache(maxsize=8)
def _halves(points: int) -> np.ndarray:
    """i + 0.5 for each sample i (step 4), made once a length."""
    halves = np.arange(points) + 0.5
    halves.setflags(write=False)
    return halves


def path_features(strokes: StrokesLike, spec: PathSpec = DEFAULT_PATH_SPEC) -> np.ndarray:
    """One drawing's path as (5, points) float32: X, Y, direction x, direction y, new-stroke flag.

    Written for a request's budget (about a tenth of a millisecond): one-dimensional arrays,
    the decimation as slices, no axis reductions; the arithmetic is the docstring's, in its
    order (tests/vectors/pen_path.json)."""
    if not strokes or any(len(stroke) == 0 for stroke in strokes):
        raise ValueError("a drawing needs at least one stroke and every stroke at least one point")
    k = decimation_step([len(stroke) for stroke in strokes], spec.max_points)
    kept = strokes if k == 1 else [  # step 1, as raster.decimate keeps them
        stroke[::k] if (len(stroke) - 1) % k == 0 else [*stroke[::k], stroke[-1]] for stroke in strokes
    ]
    n = spec.points
    out = np.zeros((FEATURES, n), dtype=np.float32)
    out[4, 0] = 1.0
    xs = np.array([p[0] for stroke in kept for p in stroke], dtype=np.float64)
    ys = np.array([p[1] for stroke in kept for p in stroke], dtype=np.float64)
    with np.errstate(all="ignore"):
        lx, hx, ly, hy = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        w, h = hx - lx, hy - ly
        if not (math.isfinite(w) and math.isfinite(h)):
            xs, ys, lx, ly = xs / 2, ys / 2, lx / 2, ly / 2
            w, h = hx / 2 - lx, hy / 2 - ly
        side = max(w, h)
        scale = 2.0 / side if side > 0 else 0.0
        if not math.isfinite(scale):
            scale = 0.0
        xs = (xs - (lx + w / 2)) * scale
        ys = (ys - (ly + h / 2)) * scale
        stroke_of = np.repeat(np.arange(len(kept)), [len(stroke) for stroke in kept])  # (P,) each point's stroke
        inside = np.flatnonzero(stroke_of[1:] == stroke_of[:-1])  # segment i joins point i to i + 1
        if len(inside) == 0:
            return out
        ax, ay = xs[inside], ys[inside]
        dx, dy = xs[inside + 1] - ax, ys[inside + 1] - ay
        length = np.sqrt(dx * dx + dy * dy)
        ends = np.cumsum(length)  # C_{j+1}, summed left to right
        total = float(ends[-1])
        if not math.isfinite(total):
            return np.zeros_like(out)
        if total == 0:
            return out
        t = _halves(n) * total / n
        seg = np.searchsorted(ends, t, side="left")  # the first j with C_{j+1} ≥ t
        np.minimum(seg, len(ends) - 1, out=seg)
        begin = ends[seg - 1]  # C_j (C_0 = 0 below)
        begin[seg == 0] = 0.0
        step = length[seg]
        safe = np.where(step > 0, step, 1.0)
        u = np.minimum(np.maximum((t - begin) / safe, 0.0), 1.0)
        sdx, sdy = dx[seg], dy[seg]
        out[0] = ax[seg] + u * sdx
        out[1] = ay[seg] + u * sdy
        out[2] = sdx / safe
        out[3] = sdy / safe
        strokes_at = stroke_of[inside[seg]]
        out[4, 1:] = strokes_at[1:] != strokes_at[:-1]
    if not np.isfinite(out).all():
        return np.zeros_like(out)
    return out


def path_batch(drawings: Sequence[StrokesLike], spec: PathSpec = DEFAULT_PATH_SPEC) -> np.ndarray:
    """Many drawings' paths as (N, 5, points) float32."""
    batch = np.zeros((len(drawings), FEATURES, spec.points), dtype=np.float32)
    for i, strokes in enumerate(drawings):
        batch[i] = path_features(strokes, spec)
    return batch


__all__ = ["DEFAULT_PATH_SPEC", "FEATURES", "PathSpec", "path_batch", "path_features"]
