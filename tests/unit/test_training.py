"""Training, export and publishing of the shape classifier, on a tiny data set (seconds)."""

from __future__ import annotations

import uuid

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from crowdsketch.ports.blob import FileBlobStore
from crowdsketch.raster import RasterSpec, rasterize_batch
from crowdsketch.synthetic import SHAPES, synthetic_drawings
from crowdsketch.training.export import export_onnx, model_card, publish_model
from crowdsketch.training.network import NetworkConfig, ShapeNet
from crowdsketch.training.trainer import EpochProgress, TrainConfig, TrainedModel, TrainingCancelled, train

SPEC = RasterSpec()
PER_CLASS = 40


@dataclass(frozen=True)
class Dataset:
    images: np.ndarray  # (N, 1, S, S)
    labels: np.ndarray  # (N,)
    classes: list[str]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    classes = list(SHAPES)
    drawings = synthetic_drawings(classes, PER_CLASS, seed=7)
    images = rasterize_batch([data.strokes for _, data in drawings], SPEC)  # (N, 1, 32, 32)
    labels = np.array([classes.index(label) for label, _ in drawings])
    return Dataset(images, labels, classes)


@pytest.fixture(scope="module")
def trained(dataset: Dataset) -> tuple[TrainedModel, list[EpochProgress]]:
    progress: list[EpochProgress] = []
    model = train(TrainConfig(epochs=3, batch_size=16, seed=1), dataset.images, dataset.labels, dataset.classes, progress.append)
    return model, progress


def test_network_maps_a_batch_to_one_probability_row_per_image() -> None:
    network = ShapeNet(NetworkConfig(classes=12))
    probabilities = network.predict_proba(torch.rand(5, 1, 32, 32))
    assert probabilities.shape == (5, 12)
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(5))
    assert 30_000 <= network.parameter_count() <= 40_000
    assert network.training  # predict_proba leaves the mode as it found it


def test_progress_is_reported_once_per_epoch_with_sensible_values(trained: tuple[TrainedModel, list[EpochProgress]]) -> None:
    _, progress = trained
    assert [p.epoch for p in progress] == [1, 2, 3]
    assert all(p.epochs == 3 for p in progress)
    for p in progress:
        assert math.isfinite(p.loss) and p.loss > 0
        assert 0.0 <= p.train_accuracy <= 1.0 and 0.0 <= p.validation_accuracy <= 1.0
        assert p.seconds > 0
    assert progress[-1].loss < progress[0].loss


def test_model_learns_the_shapes_and_reports_per_class_metrics(
    trained: tuple[TrainedModel, list[EpochProgress]], dataset: Dataset
) -> None:
    model, progress = trained
    metrics = model.metrics
    k = len(dataset.classes)
    assert not model.network.training
    assert model.classes == dataset.classes
    assert metrics["train_size"] + metrics["validation_size"] == len(dataset.labels)
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.shape == (k, k)
    assert confusion.sum() == metrics["validation_size"]
    # The split is stratified: every class is in validation, in proportion.
    assert confusion.sum(axis=1).tolist() == [round(PER_CLASS * 0.15)] * k
    assert metrics["validation_accuracy"] == pytest.approx(np.trace(confusion) / confusion.sum())
    assert metrics["validation_accuracy"] == pytest.approx(progress[-1].validation_accuracy)
    # Chance is 1/12; three short epochs reach 0.64-0.76 over seeds. Eval-mode batch norm
    # statistics that lag the weights would predict one class for all (accuracy 1/12).
    assert metrics["validation_accuracy"] > 0.4
    assert (confusion.sum(axis=0) > 0).sum() > k // 2  # many classes predicted, not one
    assert set(metrics["per_class"]) == set(dataset.classes)
    for name, row in metrics["per_class"].items():
        assert row["support"] == confusion[dataset.classes.index(name)].sum()
        assert 0.0 <= row["precision"] <= 1.0 and 0.0 <= row["recall"] <= 1.0


def test_training_is_deterministic_for_a_seed(dataset: Dataset) -> None:
    def weights(seed: int) -> dict[str, torch.Tensor]:
        config = TrainConfig(epochs=1, seed=seed)
        return train(config, dataset.images, dataset.labels, dataset.classes).network.state_dict()

    first, again, other = weights(3), weights(3), weights(4)
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not all(torch.equal(first[name], other[name]) for name in first)


def test_should_stop_cancels_between_batches(dataset: Dataset) -> None:
    calls: list[int] = []
    progress: list[EpochProgress] = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(TrainingCancelled):
        train(TrainConfig(epochs=3), dataset.images, dataset.labels, dataset.classes, progress.append, should_stop)
    assert len(calls) == 2
    assert progress == []  # stopped inside the first epoch


def test_onnx_export_matches_torch_with_any_batch_size(trained: tuple[TrainedModel, list[EpochProgress]], dataset: Dataset) -> None:
    model, _ = trained
    data = export_onnx(model, SPEC)
    graph = onnx.load_from_string(data).graph
    assert [i.name for i in graph.input] == ["strokes_raster"]
    assert [o.name for o in graph.output] == ["logits"]
    assert len(graph.initializer) > 0  # weights inside the file, no external data
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    for batch in (dataset.images[:1], dataset.images[:7]):
        (logits,) = session.run(["logits"], {"strokes_raster": batch})
        with torch.no_grad():
            expected = model.network(torch.from_numpy(batch)).numpy()
        assert logits.shape == (len(batch), len(dataset.classes))
        np.testing.assert_allclose(logits, expected, atol=1e-4)


def test_model_card_records_how_to_rebuild_and_preprocess(trained: tuple[TrainedModel, list[EpochProgress]]) -> None:
    model, _ = trained
    model_id = uuid.uuid4()
    card = model_card(model, SPEC, model_id=model_id, dataset_size=200, dataset_hash="ab" * 32, config={"epochs": 3, "seed": 1})
    assert card["model_id"] == str(model_id)
    assert card["classes"] == model.classes
    assert RasterSpec.from_dict(card["preprocessing"]) == SPEC
    assert card["preprocessing_name"] == "crowdsketch.raster/v1"
    assert card["input"] == {"name": "strokes_raster", "dtype": "float32", "shape": ["batch", 1, 32, 32]}
    assert card["output"]["name"] == "logits" and card["output"]["shape"] == ["batch", len(model.classes)]
    assert card["metrics"]["validation_accuracy"] == model.metrics["validation_accuracy"]
    assert card["dataset"] == {"size": 200, "hash": "ab" * 32}
    assert card["train_config"] == {"epochs": 3, "seed": 1}
    assert set(card["libraries"]) >= {"torch", "onnx", "onnxruntime", "numpy"}
    assert card["created_at"]
    # The card alone rebuilds the network, and it survives JSON.
    rebuilt = ShapeNet(NetworkConfig(**json.loads(json.dumps(card))["architecture"]["config"]))
    rebuilt.load_state_dict(model.network.state_dict())
    assert rebuilt.parameter_count() == card["architecture"]["parameters"]


async def test_publish_model_writes_the_model_and_its_card(tmp_path: Path) -> None:
    blobs = FileBlobStore(tmp_path)
    model_id = uuid.uuid4()
    card = {"model_id": str(model_id), "classes": ["a", "b"]}
    prefix = await publish_model(blobs, model_id, b"onnx-bytes", card)
    assert prefix == f"models/{model_id}/"
    assert await blobs.get(f"models/{model_id}/model.onnx") == b"onnx-bytes"
    assert json.loads(await blobs.get(f"models/{model_id}/card.json")) == card
