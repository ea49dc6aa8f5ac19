"""The label-issue scan: drawings whose label contradicts what models trained without them see."""

from __future__ import annotations

import random

import numpy as np
import pytest

from crowdsketch.raster import DEFAULT_SPEC, rasterize_batch
from crowdsketch.synthetic import synthetic_drawing
from crowdsketch.training.label_issues import fold_of, out_of_fold_probabilities, rank_label_issues, scan
from crowdsketch.training.trainer import TrainConfig

CLASSES = ["circle", "line", "zigzag"]


def test_folds_spread_every_class_evenly():
    labels = np.array([0] * 10 + [1] * 7 + [2] * 3)
    fold = fold_of(labels, 3, seed=1)
    for label in range(3):
        counts = np.bincount(fold[labels == label], minlength=3)
        assert counts.max() - counts.min() <= 1


def test_the_flipped_labels_come_first():
    rng = random.Random(5)
    drawings = [(label, synthetic_drawing(name, rng).strokes) for label, name in enumerate(CLASSES) for _ in range(30)]
    images = rasterize_batch([strokes for _, strokes in drawings], DEFAULT_SPEC)
    labels = np.array([label for label, _ in drawings])
    flipped = [3, 17, 40, 52, 71, 88]
    for i in flipped:
        labels[i] = (labels[i] + 1) % 3

    issues = scan(images, labels, CLASSES, TrainConfig(epochs=6, seed=0, validation_share=0.1), folds=3)

    assert sorted(issue.index for issue in issues) == list(range(90))  # every drawing, once
    top = issues[: len(flipped) + 3]
    assert sum(issue.index in flipped for issue in top) >= 5, [(i.index, i.score) for i in top]
    first = issues[0]
    assert first.flagged and first.index in flipped
    assert first.suggested != first.given and first.suggested == (first.given + 2) % 3  # its true shape
    scores = [issue.score for issue in issues if not issue.flagged]
    assert scores == sorted(scores)


def test_out_of_fold_probabilities_are_distributions_and_need_two_folds():
    rng = random.Random(1)
    drawings = [synthetic_drawing(name, rng).strokes for name in CLASSES for _ in range(6)]
    images = rasterize_batch(drawings, DEFAULT_SPEC)
    labels = np.repeat(np.arange(3), 6)
    probabilities = out_of_fold_probabilities(images, labels, CLASSES, TrainConfig(epochs=1, validation_share=0.2), folds=2)
    assert probabilities.shape == (18, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="2 folds"):
        out_of_fold_probabilities(images, labels, CLASSES, TrainConfig(epochs=1), folds=1)


def test_a_clean_set_ranks_without_flags_by_score():
    labels = np.array([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]])
    issues = rank_label_issues(labels, probabilities)
    assert [issue.index for issue in issues] == [1, 3, 2, 0]
    assert not any(issue.flagged for issue in issues)
