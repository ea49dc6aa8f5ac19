"""Which drawings are probably labelled wrong: out-of-fold probabilities, then cleanlab.

Every drawing is scored by a model that did not train on it: the drawings are split into
`folds` parts (each class spread evenly over them), and for each part a model of the
current recipe (`trainer.train`, with the drawings' distorted versions) trains on the other
parts and gives each of its drawings a probability per class. cleanlab's confident
learning (`find_label_issues`) then says which labels those probabilities contradict, and
its label quality score (the out-of-fold probability of the given label, "self
confidence") orders them: the drawings cleanlab flags first, most suspicious first, then
the rest by the same score. A label-issue scan job runs this over a training set; the
review queue shows its top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from crowdsketch.training.trainer import TrainConfig, train


@dataclass(frozen=True)
class LabelIssue:
    index: int  # into the drawings scanned
    given: int  # the label's class index
    suggested: int  # the class the out-of-fold model preferred
    score: float  # label quality in [0, 1]: the out-of-fold probability of the given label
    flagged: bool  # cleanlab's verdict: the label is probably wrong


def fold_of(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Each drawing's fold, 0..folds-1, with every class spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        fold[members] = np.arange(len(members)) % folds
    return fold


def out_of_fold_probabilities(
    images: np.ndarray, labels: np.ndarray, classes: list[str], config: TrainConfig, *, folds: int = 5,
    variants: np.ndarray | None = None, variant_of: np.ndarray | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    """(N, classes) probabilities, each drawing's from a model trained without it."""
    if folds < 2:
        raise ValueError("a scan needs at least 2 folds")
    labels = np.asarray(labels, dtype=np.int64)
    fold = fold_of(labels, folds, config.seed)
    probabilities = np.zeros((len(labels), len(classes)), dtype=np.float64)
    for k in range(folds):
        held = np.flatnonzero(fold == k)
        kept = np.flatnonzero(fold != k)
        if len(held) == 0:
            continue
        position = np.full(len(labels), -1, dtype=np.int64)
        position[kept] = np.arange(len(kept))
        fold_variants, fold_owners = None, None
        if variants is not None and variant_of is not None:
            mine = position[np.asarray(variant_of)] >= 0
            fold_variants, fold_owners = variants[mine], position[np.asarray(variant_of)[mine]]
        trained = train(replace(config, seed=config.seed + k), images[kept], labels[kept], classes,
                        should_stop=should_stop, variants=fold_variants, variant_of=fold_owners)
        x = torch.from_numpy(np.ascontiguousarray(images[held], dtype=np.float32))
        probabilities[held] = trained.network.predict_proba(x).numpy()
    return probabilities


def rank_label_issues(labels: np.ndarray, probabilities: np.ndarray) -> list[LabelIssue]:
    """Every drawing, the ones cleanlab flags first (most suspicious first), then the rest."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels = np.asarray(labels, dtype=np.int64)
    scores = get_label_quality_scores(labels, probabilities, method="self_confidence")
    flagged = np.zeros(len(labels), dtype=bool)
    if len(np.unique(labels)) >= 2:
        flagged[find_label_issues(labels, probabilities, filter_by="prune_by_noise_rate")] = True
    order = np.lexsort((scores, ~flagged))  # flagged first, then by score, lowest first
    suggested = probabilities.argmax(axis=1)
    return [LabelIssue(int(i), int(labels[i]), int(suggested[i]), float(scores[i]), bool(flagged[i])) for i in order]


def scan(
    images: np.ndarray, labels: np.ndarray, classes: Sequence[str], config: TrainConfig, *, folds: int = 5,
    variants: np.ndarray | None = None, variant_of: np.ndarray | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[LabelIssue]:
    probabilities = out_of_fold_probabilities(images, labels, list(classes), config, folds=folds, variants=variants,
                                              variant_of=variant_of, should_stop=should_stop)
    return rank_label_issues(labels, probabilities)


__all__ = ["LabelIssue", "fold_of", "out_of_fold_probabilities", "rank_label_issues", "scan"]
