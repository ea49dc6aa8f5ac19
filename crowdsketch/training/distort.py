"""More of a person's drawing than they drew: seeded affine distortions of the strokes.

A few people draw a shape a few ways: one writer's arrows all point up and to the right, the
next one's point right. A model trained on five writers learns their habits as if they were
the shape. People differ in exactly the ways an affine map of the pen's path describes: how
far the whole drawing is turned, stretched along one axis, or slanted. So each person's
drawing in a training set also appears, in training only, as `copies` distorted versions:

- turned by up to ±`rotation_deg` degrees,
- stretched by a factor of up to e^±`log_stretch` along x (and its inverse along y, so the
  area stays), and
- slanted by a shear of up to ±`shear` (x moves by `shear`·y), and
- bent: each point moved by a few smooth waves over the drawing (Simard et al.'s elastic
  distortion, on the pen's path), up to ±`warp` of its size each, as one hand's corners
  and curves differ from another's;

except that a shape told apart by its proportions (`synthetic.outlines.PROPORTIONED`: a
square stretched is a rectangle) is only turned.

The distortion acts on the points, before `raster.py` scales and centres the ink, so a
stretched drawing is re-fitted to the raster like any drawing (the raster-level augmentation
in the trainer cannot do that). The limits stay inside what still reads as the same shape: a
square turned 45° is a diamond, so 20° at most. Synthetic drawings get fewer versions
(`SYNTHETIC_DISTORTION`, 2): the generator already draws much of each shape's variety, and
a bootstrap set is large.

Validation never sees a distorted drawing: the trainer picks a version only for the drawings
on the training side of its split.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from crowdsketch.pen_path import FEATURES as PATH_FEATURES
from crowdsketch.pen_path import PathSpec, path_features
from crowdsketch.raster import RasterSpec, StrokesLike, rasterize
from crowdsketch.synthetic.outlines import PROPORTIONED


@dataclass(frozen=True)
class Distortion:
    copies: int = 8
    rotation_deg: float = 20.0
    log_stretch: float = 0.25
    shear: float = 0.25
    warp: float = 0.03  # a smooth bend of up to this share of the drawing's size

    def __post_init__(self) -> None:
        if self.copies < 0:
            raise ValueError("copies must be at least 0")
        if not 0 <= self.rotation_deg < 45:
            raise ValueError("rotation_deg must lie in [0, 45): a square turned 45° is a diamond")
        if self.log_stretch < 0 or self.shear < 0:
            raise ValueError("log_stretch and shear must not be negative")
        if not 0 <= self.warp <= 0.1:
            raise ValueError("warp must lie in [0, 0.1]: more bends one shape into another")

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


DEFAULT_DISTORTION = Distortion()
SYNTHETIC_DISTORTION = Distortion(copies=2, warp=0.0)  # the generator wobbles its paths already


def distort(
    strokes: StrokesLike, rng: random.Random, limits: Distortion = DEFAULT_DISTORTION, proportioned: bool = False
) -> list[list[list[float]]]:
    """One distorted copy of `strokes` (x, y changed, any further values such as t kept);
    a `proportioned` shape's copy is only turned."""
    angle = math.radians(rng.uniform(-limits.rotation_deg, limits.rotation_deg))
    stretch = math.exp(rng.uniform(-limits.log_stretch, limits.log_stretch))
    shear = rng.uniform(-limits.shear, limits.shear)
    if proportioned:  # the same draws, so a drawing's turns do not depend on its shape
        stretch, shear = 1.0, 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    # rotation · (stretch, shear; 0, 1/stretch): slant and stretch first, then turn.
    a, b = cos * stretch, cos * shear - sin / stretch
    c, d = sin * stretch, sin * shear + cos / stretch
    out = [
        [[a * float(p[0]) + b * float(p[1]), c * float(p[0]) + d * float(p[1]), *map(float, p[2:])] for p in stroke]
        for stroke in strokes
    ]
    if limits.warp > 0 and not proportioned:
        _bend(out, rng, limits.warp)
    return out


def _bend(strokes: list[list[list[float]]], rng: random.Random, warp: float) -> None:
    """Move each point in place by two smooth waves a coordinate, each of amplitude up to
    `warp` times the drawing's size: x by one wave across the drawing and one down it, y by
    one across it and one along it. Each wave draws (amplitude, two frequencies, phase), in
    that order; the waves along one axis use only the first frequency."""
    xs = [p[0] for stroke in strokes for p in stroke]
    ys = [p[1] for stroke in strokes for p in stroke]
    x0, y0 = min(xs), min(ys)
    size = max(max(xs) - x0, max(ys) - y0) or 1.0
    waves = [(rng.uniform(-warp, warp) * size, rng.uniform(0.5, 2.0) * 2 * math.pi,
              rng.uniform(0.5, 2.0) * 2 * math.pi, rng.uniform(0, 2 * math.pi)) for _ in range(4)]
    (ax, fx, gx, px), (ad, fd, _, pd), (ay, fy, gy, py), (aa, fa, _, pa) = waves
    for stroke in strokes:
        for p in stroke:
            u, v = (p[0] - x0) / size, (p[1] - y0) / size  # the point's place in the drawing, 0..1
            p[0] += ax * math.sin(fx * u + gx * v + px) + ad * math.sin(fd * v + pd)
            p[1] += ay * math.sin(fy * u + gy * v + py) + aa * math.sin(fa * u + pa)


@dataclass(frozen=True)
class TrainingVersions:
    """A training set's distorted versions: each drawing's, one after another by copy."""

    rasters: np.ndarray  # (V, 1, S, S) uint8, ink × 255
    of: np.ndarray  # (V,) int64: the index of the drawing each version varies
    paths: np.ndarray | None = None  # (V, 5, P) float32 (`crowdsketch/pen_path.py`), when asked for


def distorted_versions(
    drawings: Sequence[StrokesLike], spec: RasterSpec, seed: int, limits: Distortion = DEFAULT_DISTORTION,
    proportioned: Sequence[bool] | None = None, path_spec: PathSpec | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(copies, N, 1, S, S) uint8 rasters (ink × 255) of `limits.copies` distortions of each
    drawing, and with a `path_spec` their (copies, N, 5, P) paths. uint8 keeps a crowd's
    copies in a quarter of the memory; the trainer divides."""
    out = np.zeros((limits.copies, len(drawings), 1, spec.size, spec.size), dtype=np.uint8)
    paths = None if path_spec is None else np.zeros((limits.copies, len(drawings), PATH_FEATURES, path_spec.points), np.float32)
    for i, strokes in enumerate(drawings):
        rng = random.Random(f"crowdsketch-distort:{seed}:{i}")
        keep = bool(proportioned[i]) if proportioned is not None else False
        for k in range(limits.copies):
            version = distort(strokes, rng, limits, keep)
            with np.errstate(all="ignore"):
                image = rasterize(version, spec)
            if not np.isfinite(image).all():  # coordinates near the float limit: the drawing as it is
                version = strokes
                image = rasterize(strokes, spec)
            out[k, i, 0] = np.rint(image * 255)
            if path_spec is not None:
                paths[k, i] = path_features(version, path_spec)
    return out, paths


def distorted_rasters(
    drawings: Sequence[StrokesLike], spec: RasterSpec, seed: int, limits: Distortion = DEFAULT_DISTORTION,
    proportioned: Sequence[bool] | None = None,
) -> np.ndarray:
    """The rasters of `distorted_versions`: (copies, N, 1, S, S) uint8."""
    return distorted_versions(drawings, spec, seed, limits, proportioned)[0]


def training_versions(
    drawings: Sequence[StrokesLike], synthetic: np.ndarray, spec: RasterSpec, seed: int, shapes: Sequence[str],
    people: Distortion = DEFAULT_DISTORTION, made: Distortion = SYNTHETIC_DISTORTION, path_spec: PathSpec | None = None,
) -> TrainingVersions:
    """The versions the trainer picks from: people's drawings get `people.copies`, synthetic
    ones `made.copies`; a drawing of a `PROPORTIONED` shape is only turned. With a
    `path_spec`, each version's path too, for a network that reads paths."""
    synthetic = np.asarray(synthetic, dtype=bool)
    parts, owners = [np.zeros((0, 1, spec.size, spec.size), np.uint8)], [np.zeros(0, np.int64)]
    path_parts = [] if path_spec is None else [np.zeros((0, PATH_FEATURES, path_spec.points), np.float32)]
    for limits, members in ((people, np.flatnonzero(~synthetic)), (made, np.flatnonzero(synthetic))):
        if limits.copies == 0 or len(members) == 0:
            continue
        keep = [shapes[i] in PROPORTIONED for i in members]
        rasters, paths = distorted_versions([drawings[i] for i in members], spec, seed, limits, keep, path_spec)
        parts.append(rasters.reshape(-1, 1, spec.size, spec.size))  # (K·M, 1, S, S)
        owners.append(np.tile(members, limits.copies))
        if paths is not None:
            path_parts.append(paths.reshape(-1, PATH_FEATURES, paths.shape[-1]))  # (K·M, 5, P)
    return TrainingVersions(np.concatenate(parts), np.concatenate(owners),
                            np.concatenate(path_parts) if path_parts else None)


__all__ = ["DEFAULT_DISTORTION", "SYNTHETIC_DISTORTION", "Distortion", "TrainingVersions", "distort", "distorted_rasters",
           "distorted_versions", "training_versions"]
