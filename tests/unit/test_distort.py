"""Distorted versions of people's drawings: what they change, and that validation never sees them."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from crowdsketch.raster import DEFAULT_SPEC, rasterize, rasterize_batch
from crowdsketch.synthetic.outlines import PROPORTIONED
from crowdsketch.training.distort import Distortion, distort, distorted_rasters, training_versions
from crowdsketch.training.trainer import TrainConfig, grouped_split, train

ARROW = [[[0, 100, 0], [100, 0, 10], [70, 0, 20]], [[100, 0, 30], [100, 30, 40]]]


def test_a_distortion_keeps_the_strokes_their_points_and_their_times():
    copy = distort(ARROW, random.Random(1))
    assert [len(s) for s in copy] == [len(s) for s in ARROW]
    assert [p[2] for s in copy for p in s] == [p[2] for s in ARROW for p in s]


def test_a_distortion_stays_within_its_limits():
    limits = Distortion(rotation_deg=20, log_stretch=0.0, shear=0.0, warp=0.0)
    line = [[[0.0, 0.0, 0], [100.0, 0.0, 10]]]
    for seed in range(200):
        (a, b), = [[p[:2] for p in s] for s in distort(line, random.Random(seed), limits)]
        turned = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        assert abs(turned) <= 20 + 1e-9
        assert math.dist(a, b) == pytest.approx(100)  # a turn alone keeps lengths


def test_no_distortion_leaves_the_raster_as_it_was():
    limits = Distortion(copies=2, rotation_deg=0, log_stretch=0, shear=0, warp=0)
    out = distorted_rasters([ARROW], DEFAULT_SPEC, seed=0, limits=limits)
    assert out.shape == (2, 1, 1, DEFAULT_SPEC.size, DEFAULT_SPEC.size) and out.dtype == np.uint8
    expected = np.rint(rasterize(ARROW, DEFAULT_SPEC) * 255)
    assert np.array_equal(out[0, 0, 0], expected) and np.array_equal(out[1, 0, 0], expected)


def test_copies_differ_from_each_other_and_repeat_for_a_seed():
    first = distorted_rasters([ARROW], DEFAULT_SPEC, seed=3)
    assert not np.array_equal(first[0], first[1])
    assert np.array_equal(first, distorted_rasters([ARROW], DEFAULT_SPEC, seed=3))


def test_peoples_drawings_get_more_versions_than_synthetic_ones():
    drawings = [ARROW, ARROW, ARROW]
    versions = training_versions(drawings, np.array([True, False, True]), DEFAULT_SPEC, 0, ["arrow"] * 3,
                                 people=Distortion(copies=5), made=Distortion(copies=2))
    variants, variant_of = versions.rasters, versions.of
    assert sorted(variant_of.tolist()) == [0, 0, 1, 1, 1, 1, 1, 2, 2]
    assert variants.shape == (9, 1, DEFAULT_SPEC.size, DEFAULT_SPEC.size) and variants.dtype == np.uint8


def test_a_drawing_near_the_float_limit_keeps_a_finite_raster():
    huge = [[[1.7e308, 1.7e308, 0], [-1.7e308, -1.7e308, 10]]]
    assert np.isfinite(distorted_rasters([huge], DEFAULT_SPEC, seed=0)).all()


@pytest.mark.parametrize("limits", [{"copies": -1}, {"rotation_deg": 45}, {"shear": -0.1}, {"warp": 0.2}])
def test_limits_that_would_change_a_shape_are_refused(limits):
    with pytest.raises(ValueError):
        Distortion(**limits)


def test_validation_is_measured_on_the_original_drawings_not_their_versions():
    # Two writers: one trains and one validates (the grouped split). The validating writer's
    # versions are blank, so if validation looked at them its accuracy would fall to chance.
    rng = random.Random(0)
    square = lambda: [[[0, 0, 0], [10, 0, 1], [10, 10, 2], [0, 10, 3], [0, 0, 4]]]  # noqa: E731
    line = lambda: [[[0, 0, 0], [10, rng.uniform(-0.5, 0.5), 1]]]  # noqa: E731
    strokes = [square() if i % 2 else line() for i in range(80)]
    images = rasterize_batch(strokes, DEFAULT_SPEC)
    labels = np.array([i % 2 for i in range(80)])
    groups = ["a" if i < 40 else "b" for i in range(80)]
    _, held = grouped_split(labels, groups, 0.4, seed=0)
    variants = np.concatenate([np.rint(images * 255).astype(np.uint8)] * 2)
    owners = np.tile(np.arange(80), 2)
    variants[np.isin(owners, held)] = 0
    trained = train(TrainConfig(epochs=3, seed=0, validation_share=0.4), images, labels, ["line", "square"],
                    groups=groups, synthetic=np.zeros(80, bool), variants=variants, variant_of=owners)
    assert trained.metrics["distorted_drawings"] == 80
    assert trained.metrics["validation_accuracy"] == 1.0


def test_versions_that_do_not_fit_the_images_are_refused():
    images = rasterize_batch([ARROW, ARROW], DEFAULT_SPEC)
    with pytest.raises(ValueError, match="variants"):
        train(TrainConfig(epochs=1), images, np.array([0, 1]), ["a", "b"],
              variants=np.zeros((3, 1, 8, 8), np.uint8), variant_of=np.arange(3) % 2)


def test_a_square_is_turned_but_never_stretched_into_a_rectangle():
    square = [[[0.0, 0.0, 0], [100.0, 0.0, 1], [100.0, 100.0, 2], [0.0, 100.0, 3], [0.0, 0.0, 4]]]
    no_turn = Distortion(rotation_deg=0, log_stretch=0.3, shear=0.3, warp=0.05)
    for seed in range(50):
        kept = distort(square, random.Random(seed), no_turn, proportioned=True)
        assert kept == [[list(map(float, p)) for p in square[0]]]
    stretched = [distort(square, random.Random(seed), no_turn)[0] for seed in range(50)]
    assert any(abs(np.ptp([p[0] for p in s]) / np.ptp([p[1] for p in s]) - 1) > 0.2 for s in stretched)
    versions = training_versions([square, square], np.array([False, False]), DEFAULT_SPEC, 0,
                                 ["square", "star"], people=no_turn)
    variants, variant_of = versions.rasters, versions.of
    def aspect(image: np.ndarray) -> float:
        rows, cols = np.nonzero(image[0] > 0.5)
        return (np.ptp(cols) + 1) / (np.ptp(rows) + 1)
    assert all(aspect(v) == 1 for v in variants[variant_of == 0])  # the square's versions stay square
    assert any(abs(aspect(v) - 1) > 0.15 for v in variants[variant_of == 1])
    assert PROPORTIONED == {"square", "rectangle"}


def test_a_bend_moves_points_smoothly_and_no_further_than_its_limit():
    line = [[[float(x), 0.0, float(x)] for x in range(0, 101, 5)]]
    limits = Distortion(rotation_deg=0, log_stretch=0, shear=0, warp=0.03)
    moved_any = False
    for seed in range(100):
        (bent,) = distort(line, random.Random(seed), limits)
        shifts = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(line[0], bent)]
        assert all(abs(dx) <= 2 * 0.03 * 100 + 1e-9 and abs(dy) <= 2 * 0.03 * 100 + 1e-9 for dx, dy in shifts)
        steps = [math.dist(s, t) for s, t in zip(shifts, shifts[1:])]
        # Neighbours 5 apart move alike (the waves' slopes bound it near 5); noise of the same
        # size would tear them up to 12 apart.
        assert max(steps) < 6
        moved_any |= max(math.hypot(*d) for d in shifts) > 0.5
    assert moved_any
