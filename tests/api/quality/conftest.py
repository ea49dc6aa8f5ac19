"""A small shape classifier, trained once per test run on synthetic drawings, and a way to
put it in service on a stack: enough of a model to tell a circle from a star."""

from __future__ import annotations

import concurrent.futures
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from crowdsketch.db.models import ModelVersion
from crowdsketch.common.channels import ACTIVE_MODEL_CHANNEL
from tests.support.stacks import Stack
from tests.support.waiting import eventually

# A few shapes, closed and open, so that a circle and a star are told apart with confidence.
MODEL_SHAPES = ["circle", "square", "triangle", "star", "line"]


@dataclass(frozen=True)
class SmallModel:
    onnx_bytes: bytes
    card: dict[str, Any]


def _train() -> SmallModel:
    import numpy as np

    from crowdsketch.raster import DEFAULT_SPEC, rasterize_batch
    from crowdsketch.synthetic import synthetic_drawings
    from crowdsketch.training.export import export_onnx, model_card
    from crowdsketch.training.trainer import TrainConfig, train

    drawings = synthetic_drawings(MODEL_SHAPES, 80, 7)
    images = rasterize_batch([data.strokes for _, data in drawings], DEFAULT_SPEC)
    labels = np.array([MODEL_SHAPES.index(label) for label, _ in drawings], dtype=np.int64)
    trained = train(TrainConfig(epochs=6, seed=0), images, labels, MODEL_SHAPES)
    card = model_card(trained, DEFAULT_SPEC, model_id=uuid.uuid4(), dataset_size=len(drawings),
                      dataset_hash="0" * 64, config={"epochs": 6})
    return SmallModel(export_onnx(trained, DEFAULT_SPEC), card)


@pytest.fixture(scope="session")
def shape_model() -> SmallModel:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(_train).result()


async def serve_model(stack: Stack, model: SmallModel, version: int = 1) -> None:
    """Publish `model` as the stack's active model and wait until the app has loaded it."""
    assert stack.resources is not None
    model_id = uuid.uuid4()
    prefix = f"models/{model_id}/"
    await stack.stores.blobs.put(prefix + "model.onnx", model.onnx_bytes)
    await stack.stores.blobs.put(prefix + "card.json", orjson.dumps(model.card))

    async def insert(session) -> None:  # type: ignore[no-untyped-def]
        session.add(ModelVersion(
            id=model_id, version=version, classes=model.card["classes"], accuracy=0.9, metrics={},
            dataset_size=model.card["dataset"]["size"], dataset_hash="0" * 64, blob_prefix=prefix, active=True,
            activated_at=datetime.now(UTC),
        ))

    await stack.stores.db.run(insert)
    await stack.resources.kv.publish(ACTIVE_MODEL_CHANNEL, str(model_id).encode())
    models = stack.resources.models
    await eventually(lambda: models.current is not None and models.current.id == model_id, "the model is loaded")
