"""ONNX export, the model card, and publishing both to the blob store.

A published model is two blobs under `models/<model id>/`: `model.onnx` (one self-contained
file, input "strokes_raster" (batch, 1, S, S) float32, output "logits" (batch, classes)) and
`card.json`, which records what is needed to rebuild the network and to preprocess a drawing
the way it was trained. `card["preprocessing"]` is exactly `RasterSpec.to_dict()`, so a reader
can pass it to `RasterSpec.from_dict`; the preprocessing's name sits beside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import platform
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import torch

from crowdsketch.ports.blob import BlobStore
from crowdsketch.raster import RasterSpec
from crowdsketch.training.trainer import TrainedModel

INPUT_NAME = "strokes_raster"
OUTPUT_NAME = "logits"
PREPROCESSING_NAME = "crowdsketch.raster/v1"
MAX_LOGIT_DIFFERENCE = 1e-4


class ExportMismatch(RuntimeError):
    """The exported graph does not compute what the torch network computes."""


def export_onnx(model: TrainedModel, spec: RasterSpec) -> bytes:
    """The network as one self-contained ONNX file, checked against torch with onnxruntime."""
    network = model.network.eval()
    if network.config.size != spec.size:
        raise ValueError(f"network trained on {network.config.size}px rasters, spec says {spec.size}px")
    example = torch.zeros(2, 1, spec.size, spec.size)  # (B, 1, S, S)
    with tempfile.TemporaryDirectory() as folder, _exporter_quiet():
        path = Path(folder) / "model.onnx"
        torch.onnx.export(
            network,
            (example,),
            path,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1)}},
            external_data=False,
            dynamo=True,
            verbose=False,
        )
        data = path.read_bytes()
    onnx.checker.check_model(onnx.load_from_string(data))
    _check_against_torch(network, data, spec.size)
    return data


@contextlib.contextmanager
def _exporter_quiet() -> Iterator[None]:
    """The exporter's chatter is not the user's business: it warns that torchvision (which
    we do not use) is missing, and torch's own pytree warns of its own deprecations."""
    exporter_log = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        exporter_log.setLevel(level)


def _check_against_torch(network: torch.nn.Module, data: bytes, size: int) -> None:
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    for batch in (1, 3, 8):
        x = torch.rand(batch, 1, size, size, generator=generator)  # (B, 1, S, S)
        with torch.no_grad():
            expected = network(x).numpy()  # (B, classes)
        (got,) = session.run([OUTPUT_NAME], {INPUT_NAME: x.numpy()})
        difference = float(np.abs(got - expected).max())
        if got.shape != expected.shape or difference > MAX_LOGIT_DIFFERENCE:
            raise ExportMismatch(f"batch {batch}: onnxruntime differs from torch by {difference:.2e}")


def model_card(
    model: TrainedModel,
    spec: RasterSpec,
    *,
    model_id: uuid.UUID,
    dataset_size: int,
    dataset_hash: str,
    config: dict[str, Any],
) -> dict[str, Any]:
    """Everything needed to rebuild the network, preprocess its input and judge it."""
    network_config = model.network_config
    return {
        "model_id": str(model_id),
        "created_at": datetime.now(UTC).isoformat(),
        "classes": list(model.classes),
        "preprocessing": spec.to_dict(),
        "preprocessing_name": PREPROCESSING_NAME,
        "input": {"name": INPUT_NAME, "dtype": "float32", "shape": ["batch", 1, spec.size, spec.size]},
        "output": {"name": OUTPUT_NAME, "dtype": "float32", "shape": ["batch", len(model.classes)]},
        "architecture": {
            "name": "ShapeNet",
            "config": {**asdict(network_config), "channels": list(network_config.channels)},
            "parameters": model.network.parameter_count(),
        },
        "metrics": model.metrics,
        "dataset": {"size": dataset_size, "hash": dataset_hash},
        "train_config": config,
        "libraries": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "numpy": np.__version__,
        },
    }


async def publish_model(blobs: BlobStore, model_id: uuid.UUID, onnx_bytes: bytes, card: dict[str, Any]) -> str:
    """Write `models/<model id>/model.onnx`, then `card.json`; return the prefix.

    The card goes last: a reader that finds the card finds the model beside it. The folder
    is named by the model's id, not its version: the version is numbered when the row is
    inserted, and two workers finishing at once must not write to one folder.
    """
    prefix = f"models/{model_id}/"
    await blobs.put(prefix + "model.onnx", onnx_bytes)
    await blobs.put(prefix + "card.json", json.dumps(card, indent=2, sort_keys=True).encode())
    return prefix
