"""Strokes → model input: the one preprocessing.

Training, server inference, evaluation and the browser all turn a drawing into the same
`size × size` float raster (0 = background, 1 = ink) with this module or a port of it that
reproduces `tests/vectors/raster.json`. Everything is plain IEEE double arithmetic in a
fixed order, so a TypeScript port that copies the steps below gets the same numbers:

1. **Decimate.** With N points in all, keep every k-th point of each stroke (indices
   0, k, 2k, ...) plus each stroke's last point, for the smallest k ≥ 1 that leaves at most
   `max_points` points. A stroke of n ≥ 2 points then keeps ceil((n − 1) / k) + 1 points,
   a one-point stroke keeps its point. The first and last point of every stroke always
   survive, so a drawing of more than `max_points / 2` strokes keeps exactly those (2 a
   stroke, over the budget) rather than losing strokes.
2. **Normalise.** Over the kept points, w = maxX − minX, h = maxY − minY,
   scale = (size − 2·padding) / max(w, h), or 0 when both are 0 (a dot).
   X = (x − minX)·scale + (size − w·scale) / 2, and the same for Y with h: the ink's box is
   scaled uniformly to the inner square and centred, so a line or a dot lands in the middle.
   Two extremes that doubles cannot hold otherwise: when w or h overflows (coordinates
   near ±1.8e308), every coordinate is halved first (exact, and the scale undoes it); when
   the scale itself overflows (a box under about 1e-307 across), scale = 0, a dot.
3. **Draw.** Consecutive kept points of a stroke make segments; a one-point stroke is a
   zero-length segment (a dot). For each pixel (col, row), with centre
   (px, py) = (col + 0.5, row + 0.5), and each segment A→B, with (dx, dy) = B − A and
   len2 = dx² + dy²: u = clamp(((px − Ax)·dx + (py − Ay)·dy) / len2, 0, 1) (u = 0 when
   len2 = 0), ex = px − (Ax + u·dx), ey = py − (Ay + u·dy), d2 = ex² + ey².
   The pixel's value is clamp(line_width / 2 + 0.5 − sqrt(min over segments of d2), 0, 1),
   stored as float32.

The `t` of each point is ignored: the model sees the shape, not the timing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

PointLike = Sequence[float]
StrokesLike = Sequence[Sequence[PointLike]]


@dataclass(frozen=True)
class RasterSpec:
    """Everything that decides the raster; goes into the model card as `to_dict()`."""

    size: int = 32
    padding: int = 2
    line_width: float = 1.5
    max_points: int = 64

    def __post_init__(self) -> None:
        if self.size < 1 or self.padding < 0 or 2 * self.padding >= self.size:
            raise ValueError(f"need size >= 1 and 0 <= 2*padding < size, got size={self.size} padding={self.padding}")
        if not self.line_width > 0:
            raise ValueError(f"line_width must be positive, got {self.line_width}")
        if self.max_points < 2:
            raise ValueError(f"max_points must be at least 2, got {self.max_points}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RasterSpec:
        # Every field is required: a model card that silently took today's defaults would
        # preprocess differently from the way its model was trained.
        names = {f.name for f in fields(cls)}
        missing, unknown = names - data.keys(), data.keys() - names
        if missing or unknown:
            raise ValueError(f"raster spec: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return cls(
            size=int(data["size"]),
            padding=int(data["padding"]),
            line_width=float(data["line_width"]),
            max_points=int(data["max_points"]),
        )


DEFAULT_SPEC = RasterSpec()


def _kept_count(lengths: Sequence[int], k: int) -> int:
    return sum(1 if n == 1 else -(-(n - 1) // k) + 1 for n in lengths)


def decimation_step(lengths: Sequence[int], max_points: int) -> int:
    """The smallest stride k that keeps at most `max_points` points (step 1 above)."""
    if sum(lengths) <= max_points:
        return 1
    lo, hi = 1, max(max(lengths) - 1, 1)  # at k = hi every stroke keeps only its ends
    if _kept_count(lengths, hi) > max_points:
        return hi
    while lo < hi:  # kept count never grows with k, so bisect
        mid = (lo + hi) // 2
        if _kept_count(lengths, mid) <= max_points:
            hi = mid
        else:
            lo = mid + 1
    return lo


def decimate(strokes: StrokesLike, max_points: int) -> list[list[tuple[float, float]]]:
    """Each stroke's kept (x, y) points, in order (step 1 above)."""
    k = decimation_step([len(stroke) for stroke in strokes], max_points)
    kept: list[list[tuple[float, float]]] = []
    for stroke in strokes:
        last = len(stroke) - 1
        indices = list(range(0, last + 1, k))
        if indices[-1] != last:
            indices.append(last)
        kept.append([(float(stroke[i][0]), float(stroke[i][1])) for i in indices])
    return kept


def rasterize(strokes: StrokesLike, spec: RasterSpec = DEFAULT_SPEC) -> np.ndarray:
    """One drawing as a (size, size) float32 raster, rows top to bottom; 0 background, 1 ink."""
    if not strokes or any(len(stroke) == 0 for stroke in strokes):
        raise ValueError("a drawing needs at least one stroke and every stroke at least one point")
    kept = decimate(strokes, spec.max_points)

    points = np.array([p for stroke in kept for p in stroke], dtype=np.float64)  # (P, 2)
    low, high = points.min(axis=0), points.max(axis=0)
    with np.errstate(over="ignore"):
        extent = high - low  # (w, h)
    if not np.isfinite(extent).all():
        points, low = points / 2, low / 2
        extent = high / 2 - low
    longest = max(float(extent[0]), float(extent[1]))
    scale = (spec.size - 2 * spec.padding) / longest if longest > 0 else 0.0
    if not math.isfinite(scale):
        scale = 0.0
    points = (points - low) * scale + (spec.size - extent * scale) / 2

    # Segment i runs from starts[i] to ends[i]; a one-point stroke is a dot from p to p.
    starts, ends, offset = [], [], 0
    for stroke in kept:
        n = len(stroke)
        if n == 1:
            starts.append(offset)
            ends.append(offset)
        else:
            starts.extend(range(offset, offset + n - 1))
            ends.extend(range(offset + 1, offset + n))
        offset += n
    a = points[starts]  # (S, 2)
    d = points[ends] - a  # (S, 2)
    len2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]  # (S,)
    divisor = np.where(len2 > 0, len2, 1.0)  # a dot has dx = dy = 0, so its u is 0 anyway

    reach = spec.line_width / 2 + 0.5  # a pixel further than this from a segment gets 0 from it
    # Only (segment, pixel) pairs within `reach` of the segment's box can ink anything; the
    # dense pixels × segments formula above gives exactly the same raster, this is just faster.
    centres = np.arange(spec.size, dtype=np.float64) + 0.5
    box_low = np.minimum(a, a + d) - reach  # (S, 2)
    box_high = np.maximum(a, a + d) + reach
    near_col = (centres[None, :] >= box_low[:, 0:1]) & (centres[None, :] <= box_high[:, 0:1])  # (S, size)
    near_row = (centres[None, :] >= box_low[:, 1:2]) & (centres[None, :] <= box_high[:, 1:2])  # (S, size)
    # flatnonzero + divmod: several times faster than a 3-D np.nonzero.
    pair = np.flatnonzero(near_row[:, :, None] & near_col[:, None, :])  # pairs to measure
    seg, pixel = np.divmod(pair, spec.size * spec.size)
    row, col = np.divmod(pixel, spec.size)
    rel_x = centres[col] - a[seg, 0]  # px − Ax
    rel_y = centres[row] - a[seg, 1]  # py − Ay
    dx, dy = d[seg, 0], d[seg, 1]
    u = np.clip((rel_x * dx + rel_y * dy) / divisor[seg], 0.0, 1.0)
    ex = rel_x - u * dx
    ey = rel_y - u * dy
    d2 = np.full(spec.size * spec.size, np.inf)
    np.minimum.at(d2, pixel, ex * ex + ey * ey)
    ink = np.clip(reach - np.sqrt(d2), 0.0, 1.0).reshape(spec.size, spec.size)
    return ink.astype(np.float32)


def rasterize_batch(drawings: Sequence[StrokesLike], spec: RasterSpec = DEFAULT_SPEC) -> np.ndarray:
    """Many drawings as an (N, 1, size, size) float32 batch, the model's input."""
    batch = np.zeros((len(drawings), 1, spec.size, spec.size), dtype=np.float32)
    for i, strokes in enumerate(drawings):
        batch[i, 0] = rasterize(strokes, spec)
    return batch


__all__ = ["DEFAULT_SPEC", "RasterSpec", "decimate", "decimation_step", "rasterize", "rasterize_batch"]
