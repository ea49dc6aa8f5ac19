"""What the trainer shows the network each step: a drawing's version, then a small augmentation.

`Versions` looks up the distorted versions of a drawing (`training/distort.py`) as rasters
and, for a network that reads the pen's path, as paths; `augment_batch` and `augment_paths`
add the per-step jitter on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

@dataclass(frozen=True)
class Versions:
    """The distorted versions of the drawings, looked up by index into the images."""

    flat: torch.Tensor | None  # (V, 1, S, S) uint8, each drawing's versions one after another
    paths: torch.Tensor | None  # (V, 5, P) float32 in the same order, when the network reads paths
    start: torch.Tensor | None  # (N,) int64: where a drawing's versions begin in `flat`
    count: torch.Tensor | None  # (N,) int64: how many it has

    @classmethod
    def of(cls, variants: np.ndarray | None, variant_of: np.ndarray | None, n: int, shape: tuple[int, ...],
           variant_paths: np.ndarray | None = None) -> Versions:
        if variants is None or variant_of is None or len(variant_of) == 0:
            return cls(None, None, None, None)
        variant_of = np.asarray(variant_of, dtype=np.int64)
        if variants.ndim != 4 or len(variants) != len(variant_of) or tuple(variants.shape[1:]) != tuple(shape):
            raise ValueError(f"variants must be ({len(variant_of)}, {', '.join(map(str, shape))}); got {variants.shape}")
        if variant_of.min() < 0 or variant_of.max() >= n:
            raise ValueError("variant_of must index into images")
        if variant_paths is not None and (variant_paths.ndim != 3 or len(variant_paths) != len(variant_of)):
            raise ValueError(f"variant_paths must be ({len(variant_of)}, 5, P); got {variant_paths.shape}")
        order = np.argsort(variant_of, kind="stable")
        count = np.bincount(variant_of, minlength=n)
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        flat = np.ascontiguousarray(np.asarray(variants, dtype=np.uint8)[order])
        paths = None if variant_paths is None else torch.from_numpy(np.ascontiguousarray(variant_paths[order], np.float32))
        return cls(torch.from_numpy(flat), paths, torch.from_numpy(start), torch.from_numpy(count))

    @property
    def drawings(self) -> int:
        return 0 if self.count is None else int((self.count > 0).sum())

    def pick(self, xb: torch.Tensor, pb: torch.Tensor | None, indices: torch.Tensor,
             generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        """`xb` (B, 1, S, S) and `pb` (B, 5, P) or None, with each drawing shown as a random
        one of its versions, itself included (version 0), each as likely."""
        if self.flat is None or self.start is None or self.count is None:
            return xb, pb
        count = self.count[indices]  # (B,)
        version = (torch.rand(len(indices), generator=generator) * (count + 1)).long().clamp(max=count)  # (B,) in 0..count
        chosen = version > 0
        if not bool(chosen.any()):
            return xb, pb
        at = self.start[indices][chosen] + version[chosen] - 1
        xb = xb.clone()
        xb[chosen] = self.flat[at].float() / 255  # (b, 1, S, S)
        if pb is not None and self.paths is not None:
            pb = pb.clone()
            pb[chosen] = self.paths[at]  # (b, 5, P)
        return xb, pb


def augment_batch(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A small random turn per image (±6°) and a sub-pixel shift (±0.5 px).

    No zoom and no larger shift: `raster.py` scales every drawing so that its longer side
    spans the inner square exactly and centres it, so where the ink stops is information
    (a square reaches all four margins, a rectangle only two). Zooming or shifting the
    raster would teach the model to ignore it, and blurred the square/rectangle boundary
    from an aspect of 1.2 to about 1.35.
    """
    b, _, h, w = x.shape  # (B, 1, S, S)
    uniform = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=generator)  # noqa: E731
    angle = uniform(-math.pi / 30, math.pi / 30)
    # affine_grid works in [-1, 1] coordinates: a pixel is 2 / side of them.
    shift_x = uniform(-0.5, 0.5) * 2 / w
    shift_y = uniform(-0.5, 0.5) * 2 / h
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([
        torch.stack([cos, -sin, shift_x], dim=1),
        torch.stack([sin, cos, shift_y], dim=1),
    ], dim=1)  # (B, 2, 3): maps output coordinates to input coordinates
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (B, S, S, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment_paths(p: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The same small random turn as the rasters' (±6°) for each path (B, 5, P): its points
    and its directions turn alike.

    Paths are not shown drawn the other way round: the way round is information people
    share (on the one-writer check of s02–s06, reversing half the paths cost 0.2 points).
    """
    b = p.shape[0]
    angle = (torch.rand(b, generator=generator) * 2 - 1) * math.pi / 30
    cos, sin = torch.cos(angle)[:, None], torch.sin(angle)[:, None]  # (B, 1)
    out = p.clone()
    for row in (0, 2):  # (X, Y), then (direction x, direction y)
        x, y = p[:, row], p[:, row + 1]  # (B, P)
        out[:, row], out[:, row + 1] = cos * x - sin * y, sin * x + cos * y
    return out


__all__ = ["Versions", "augment_batch", "augment_paths"]
