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

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from crowdsketch.raster import StrokesLike, decimate

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


def path_features(strokes: StrokesLike, spec: PathSpec = DEFAULT_PATH_SPEC) -> np.ndarray:
    """One drawing's path as (5, points) float32: X, Y, direction x, direction y, new-stroke flag."""
    if not strokes or any(len(stroke) == 0 for stroke in strokes):
        raise ValueError("a drawing needs at least one stroke and every stroke at least one point")
    kept = decimate(strokes, spec.max_points)
    out = np.zeros((FEATURES, spec.points), dtype=np.float64)
    out[4, 0] = 1.0
    with np.errstate(all="ignore"):
        points = np.array([p for stroke in kept for p in stroke], dtype=np.float64)  # (P, 2)
        low, high = points.min(axis=0), points.max(axis=0)
        extent = high - low  # (w, h)
        if not np.isfinite(extent).all():
            points, low = points / 2, low / 2
            extent = high / 2 - low
        side = max(float(extent[0]), float(extent[1]))
        scale = 2.0 / side if side > 0 else 0.0
        if not np.isfinite(scale):
            scale = 0.0
        normal = (points - (low + extent / 2)) * scale  # (P, 2)

        starts, stroke_of, offset = [], [], 0
        for s, stroke in enumerate(kept):
            starts.extend(range(offset, offset + len(stroke) - 1))
            stroke_of.extend([s] * (len(stroke) - 1))
            offset += len(stroke)
        if not starts:
            return out.astype(np.float32) if np.isfinite(normal).all() else np.zeros_like(out, np.float32)
        a = normal[starts]  # (S, 2)
        d = normal[np.array(starts) + 1] - a  # (S, 2)
        length = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])  # (S,)
        ends = np.cumsum(length)  # C_{j+1}, summed left to right as the steps above
        total = float(ends[-1])
        if not np.isfinite(ends).all() or not np.isfinite(normal).all():
            return np.zeros_like(out, np.float32)
        if total == 0:
            return out.astype(np.float32)
        t = (np.arange(spec.points) + 0.5) * total / spec.points  # (points,)
        seg = np.minimum(np.searchsorted(ends, t, side="left"), len(ends) - 1)  # first j with C_{j+1} ≥ t
        begin = np.concatenate([[0.0], ends[:-1]])[seg]  # C_j
        safe = np.where(length[seg] > 0, length[seg], 1.0)
        u = np.clip((t - begin) / safe, 0.0, 1.0)
        out[0] = a[seg, 0] + u * d[seg, 0]
        out[1] = a[seg, 1] + u * d[seg, 1]
        out[2] = d[seg, 0] / safe
        out[3] = d[seg, 1] / safe
        strokes_at = np.array(stroke_of)[seg]
        out[4, 1:] = strokes_at[1:] != strokes_at[:-1]
    if not np.isfinite(out).all():
        return np.zeros_like(out, np.float32)
    return out.astype(np.float32)


def path_batch(drawings: Sequence[StrokesLike], spec: PathSpec = DEFAULT_PATH_SPEC) -> np.ndarray:
    """Many drawings' paths as (N, 5, points) float32."""
    batch = np.zeros((len(drawings), FEATURES, spec.points), dtype=np.float32)
    for i, strokes in enumerate(drawings):
        batch[i] = path_features(strokes, spec)
    return batch


__all__ = ["DEFAULT_PATH_SPEC", "FEATURES", "PathSpec", "path_batch", "path_features"]
