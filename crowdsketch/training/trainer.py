"""The training loop: `train(config, images, labels, classes, on_progress, should_stop)`.

Images are rasters from `crowdsketch.raster.rasterize_batch`, (N, 1, S, S) float32 in [0, 1].
The run is deterministic for a seed on a given machine and thread count: the split, the
shuffling, the augmentation and the initial weights all draw from seeded generators.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from crowdsketch.training.inputs import Versions, augment_batch, augment_paths
from crowdsketch.training.network import NetworkConfig, ShapeNet

THREADS = 2
EVAL_BATCH = 512
CALIBRATION_IMAGES = 2048


class TrainingCancelled(Exception):
    """Raised from inside `train` when `should_stop()` answers true."""


@dataclass
class TrainConfig:
    epochs: int = 8
    batch_size: int = 64
    learning_rate: float = 3e-3  # the peak of the one-cycle schedule
    weight_decay: float = 1e-4
    validation_share: float = 0.15
    seed: int = 0
    augment: bool = True

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")
        if not 0.0 < self.validation_share < 1.0:
            raise ValueError("validation_share must lie strictly between 0 and 1")


@dataclass(frozen=True)
class EpochProgress:
    epoch: int  # 1-based
    epochs: int
    loss: float  # mean training loss over the epoch
    train_accuracy: float  # on the (augmented) training batches, as seen during the epoch
    validation_accuracy: float
    seconds: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass
class TrainedModel:
    network: ShapeNet  # in eval mode
    classes: list[str]
    config: TrainConfig
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def network_config(self) -> NetworkConfig:
        return self.network.config


def stratified_split(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): about `share` of each class to validation.

    Every class with at least two examples keeps at least one on each side.
    """
    rng = np.random.default_rng(seed)
    train_parts, validation_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_validation = min(max(round(len(members) * share), 1), len(members) - 1)
        validation_parts.append(members[:n_validation])
        train_parts.append(members[n_validation:])
    return np.sort(np.concatenate(train_parts)), np.sort(np.concatenate(validation_parts))


def grouped_split(labels: np.ndarray, groups: Sequence[str | None], share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices) with no contributor on both sides.

    Validation accuracy is meant to say how the model does on people it has not seen, and
    a contributor's drawings resemble each other more than anyone else's. Whole groups go
    to validation, in a seeded random order, until it holds about `share` of the drawings
    (never every group); a drawing without a group is a group of its own. With fewer than
    two groups nothing can be held out without sharing one: this is `stratified_split`.
    """
    keys = [f"g:{group}" if group is not None else f"i:{i}" for i, group in enumerate(groups)]
    unique, inverse = np.unique(np.array(keys, dtype=object), return_inverse=True)
    if len(unique) < 2 or all(group is None for group in groups):
        return stratified_split(labels, share, seed)
    sizes = np.bincount(inverse)
    target = share * len(labels)
    chosen = np.zeros(len(unique), dtype=bool)
    held = 0
    for g in np.random.default_rng(seed).permutation(len(unique))[: len(unique) - 1]:
        if held >= target:
            break
        chosen[g] = True
        held += sizes[g]
    in_validation = chosen[inverse]
    return np.flatnonzero(~in_validation), np.flatnonzero(in_validation)


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # indices
    validation: np.ndarray  # indices: every held-out drawing
    reported: np.ndarray  # the validation indices that validation accuracy is measured on
    basis: str  # "people" or "synthetic": whose drawings `reported` holds


def validation_split(
    labels: np.ndarray, groups: Sequence[str | None] | None, synthetic: np.ndarray | None, share: float, seed: int
) -> Split:
    """People's drawings are split by contributor (`grouped_split`), synthetic ones by class.

    When the set holds any drawing by a person, validation accuracy is measured on the
    held-out people's drawings only, so that a figure on drawings a program made never
    stands for how the model does on people's; the synthetic figure is reported beside it.
    """
    n = len(labels)
    is_synthetic = np.zeros(n, dtype=bool) if synthetic is None else np.asarray(synthetic, dtype=bool)
    group_of = [None] * n if groups is None else list(groups)
    people, made = np.flatnonzero(~is_synthetic), np.flatnonzero(is_synthetic)
    train_parts, validation_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    held_people = np.empty(0, np.int64)
    if len(people):
        kept, held = grouped_split(labels[people], [group_of[i] for i in people], share, seed)
        train_parts.append(people[kept])
        held_people = people[held]
        validation_parts.append(held_people)
    if len(made):
        kept, held = stratified_split(labels[made], share, seed)
        train_parts.append(made[kept])
        validation_parts.append(made[held])
    validation = np.sort(np.concatenate(validation_parts))
    reported, basis = (np.sort(held_people), "people") if len(held_people) else (validation, "synthetic")
    return Split(np.sort(np.concatenate(train_parts)), validation, reported, basis)


@torch.no_grad()
def recalibrate_batch_norm(network: ShapeNet, images: torch.Tensor, paths: torch.Tensor | None = None) -> None:
    """Set every batch norm's running mean and variance to their average over `images`
    (and `paths`, for a network that reads them).

    The running statistics are a moving average with momentum 0.1 that starts at mean 0 and
    variance 1; the first block's activations have a variance near 0.005, so after a short
    run (tens of steps, as on a small data set) the start value still dominates and eval
    mode predicts one class for everything. Averaging over clean training images with the
    final weights gives the statistics the network will meet at inference.
    """
    norms = [m for m in network.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [norm.momentum for norm in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the batches below
    network.train()
    for start in range(0, len(images), EVAL_BATCH):
        end = start + EVAL_BATCH
        network(images[start:end], None if paths is None else paths[start:end])  # updates the running stats
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    network.eval()


@torch.no_grad()
def predict_labels(network: ShapeNet, images: torch.Tensor, paths: torch.Tensor | None = None) -> torch.Tensor:
    network.eval()
    return torch.cat([network(images[i:i + EVAL_BATCH], None if paths is None else paths[i:i + EVAL_BATCH]).argmax(dim=1)
                      for i in range(0, len(images), EVAL_BATCH)])


def classification_metrics(true: np.ndarray, predicted: np.ndarray, classes: list[str]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/support and the confusion matrix (rows = true class)."""
    k = len(classes)
    confusion = np.bincount(true * k + predicted, minlength=k * k).reshape(k, k)
    support = confusion.sum(axis=1)
    predicted_count = confusion.sum(axis=0)
    hits = np.diag(confusion)
    per_class = {
        name: {
            "precision": float(hits[i] / predicted_count[i]) if predicted_count[i] else 0.0,
            "recall": float(hits[i] / support[i]) if support[i] else 0.0,
            "support": int(support[i]),
        }
        for i, name in enumerate(classes)
    }
    return {
        "validation_accuracy": float(hits.sum() / max(len(true), 1)),
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
    }


def _check_inputs(images: np.ndarray, labels: np.ndarray, classes: list[str]) -> None:
    if images.ndim != 4 or images.shape[1] != 1 or images.shape[2] != images.shape[3]:
        raise ValueError(f"images must be (N, 1, S, S); got {images.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if len(set(classes)) != len(classes) or len(classes) < 2:
        raise ValueError("classes must be at least 2 distinct names")
    if labels.size and (labels.min() < 0 or labels.max() >= len(classes)):
        raise ValueError("labels must index into classes")


def train(
    config: TrainConfig,
    images: np.ndarray,
    labels: np.ndarray,
    classes: list[str],
    on_progress: Callable[[EpochProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    groups: Sequence[str | None] | None = None,
    synthetic: np.ndarray | None = None,
    variants: np.ndarray | None = None,
    variant_of: np.ndarray | None = None,
    paths: np.ndarray | None = None,
    variant_paths: np.ndarray | None = None,
) -> TrainedModel:
    """`groups` names each drawing's contributor (None: unknown) and `synthetic` marks the
    drawings a program made: see `validation_split` for what they change.

    `variants` (V, 1, S, S) uint8 holds distorted versions (`training/distort.py`) of the
    drawings `variant_of` (V,) indexes into `images`. Each epoch, a training drawing with k of
    them is shown as one of its k + 1 versions, picked at random; validation sees originals.

    `paths` (N, 5, P) float32, the pen's path of each drawing (`crowdsketch/pen_path.py`),
    gives the network its path branch; `variant_paths` (V, 5, P) are the versions' paths.
    """
    labels = np.asarray(labels, dtype=np.int64)
    _check_inputs(images, labels, classes)
    if paths is not None and (paths.ndim != 3 or len(paths) != len(labels)):
        raise ValueError(f"paths must be ({len(labels)}, 5, P); got {paths.shape}")
    if paths is not None and variants is not None and variant_paths is None:
        raise ValueError("a network that reads paths needs its versions' paths too")
    versions = Versions.of(variants, variant_of, len(labels), images.shape[1:], variant_paths)
    torch.set_num_threads(THREADS)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)

    split = validation_split(labels, groups, synthetic, config.validation_share, config.seed)
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))  # (N, 1, S, S)
    y = torch.from_numpy(labels)  # (N,)
    x_train, y_train = x[split.train], y[split.train]
    train_rows = torch.from_numpy(split.train)  # training position → index into images
    x_validation, y_validation = x[split.reported], y[split.reported]
    p = None if paths is None else torch.from_numpy(np.ascontiguousarray(paths, dtype=np.float32))  # (N, 5, P)
    p_train = None if p is None else p[split.train]
    p_validation = None if p is None else p[split.reported]
    # A fixed random sample of the training images, shuffled so each batch mixes classes.
    calibration = torch.randperm(len(x_train), generator=generator)[:CALIBRATION_IMAGES]
    x_calibration = x_train[calibration]
    p_calibration = None if p_train is None else p_train[calibration]

    path_points = 0 if paths is None else paths.shape[-1]
    network = ShapeNet(NetworkConfig(classes=len(classes), size=images.shape[-1], path_points=path_points))
    optimizer = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.learning_rate, total_steps=config.epochs * steps_per_epoch
    )

    history: list[dict[str, float | int]] = []
    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()
        network.train()
        order = torch.randperm(len(x_train), generator=generator)
        loss_sum, correct = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            if should_stop is not None and should_stop():
                raise TrainingCancelled(f"stopped during epoch {epoch}")
            batch = order[start:start + config.batch_size]
            xb, yb = x_train[batch], y_train[batch]  # (B, 1, S, S), (B,)
            pb = None if p_train is None else p_train[batch]  # (B, 5, P)
            xb, pb = versions.pick(xb, pb, train_rows[batch], generator)
            if config.augment:
                xb = augment_batch(xb, generator)
                pb = None if pb is None else augment_paths(pb, generator)
            logits = network(xb, pb)  # (B, classes)
            loss = F.cross_entropy(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(batch)
            correct += int((logits.argmax(dim=1) == yb).sum())
        recalibrate_batch_norm(network, x_calibration, p_calibration)
        validation_accuracy = float((predict_labels(network, x_validation, p_validation) == y_validation).float().mean())
        progress = EpochProgress(
            epoch=epoch,
            epochs=config.epochs,
            loss=loss_sum / len(x_train),
            train_accuracy=correct / len(x_train),
            validation_accuracy=validation_accuracy,
            seconds=time.perf_counter() - started,
        )
        history.append(progress.to_dict())
        if on_progress is not None:
            on_progress(progress)

    network.eval()
    predicted = predict_labels(network, x_validation, p_validation).numpy()
    metrics = classification_metrics(y_validation.numpy(), predicted, classes)
    other = np.setdiff1d(split.validation, split.reported)  # held-out synthetic drawings, when people's are reported
    if len(other):
        p_other = None if p is None else p[other]
        metrics["synthetic_validation_accuracy"] = float((predict_labels(network, x[other], p_other) == y[other]).float().mean())
    metrics.update(
        distorted_drawings=versions.drawings,
        validation_basis=split.basis,
        train_size=len(split.train),
        validation_size=len(split.reported),
        parameters=network.parameter_count(),
        inputs=["raster"] if p is None else ["raster", "pen_path"],  # what the network reads
        history=history,
    )
    return TrainedModel(network=network, classes=list(classes), config=config, metrics=metrics)
