"""ONNX export, the model card, and publishing both to the blob store.

A published model is two blobs under `models/<model id>/`: `model.onnx` (one self-contained
file, input "strokes_raster" (batch, 1, S, S) float32, output "logits" (batch, classes)) and
`card.json`, which records what is needed to rebuild the network and to preprocess a drawing
the way it was trained. `card["preprocessing"]` is exactly `RasterSpec.to_dict()`, so a reader
can pass it to `RasterSpec.from_dict`; the preprocessing's name sits beside it.

A network that also reads the pen's path has a second input, "pen_path" (batch, 5, P)
float32, and its card a `path` (`PathSpec.to_dict()`) and `path_input`; a card without them
is a raster-only model, as every model before them.
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
from crowdsketch.pen_path import FEATURES as PATH_FEATURES
from crowdsketch.pen_path import PathSpec
from crowdsketch.raster import RasterSpec
from crowdsketch.training.trainer import TrainedModel

INPUT_NAME = "strokes_raster"
PATH_INPUT_NAME = "pen_path"
OUTPUT_NAME = "logits"
PREPROCESSING_NAME = "crowdsketch.raster/v1"
MAX_LOGIT_DIFFERENCE = 1e-4


class ExportMismatch(RuntimeError):
    """The exported graph does not compute what the torch network computes."""


def export_onnx(model: TrainedModel, spec: RasterSpec, path_spec: PathSpec | None = None) -> bytes:
    """The network as one self-contained ONNX file, checked against torch with onnxruntime."""
    network = model.network.eval()
    if network.config.size != spec.size:
        raise ValueError(f"network trained on {network.config.size}px rasters, spec says {spec.size}px")
    points = _path_points(model, path_spec)
    batch = torch.export.Dim("batch", min=1)
    example: tuple[torch.Tensor, ...] = (torch.zeros(2, 1, spec.size, spec.size),)  # (B, 1, S, S)
    names, shapes = [INPUT_NAME], {"x": {0: batch}}
    if points:
        example += (torch.zeros(2, PATH_FEATURES, points),)  # (B, 5, P)
        names.append(PATH_INPUT_NAME)
        shapes["path"] = {0: batch}
    with tempfile.TemporaryDirectory() as folder, _exporter_quiet():
        path = Path(folder) / "model.onnx"
        torch.onnx.export(
            network,
            example,
            path,
            input_names=names,
            output_names=[OUTPUT_NAME],
            dynamic_shapes=shapes,
            external_data=False,
            dynamo=True,
            verbose=False,
        )
        data = path.read_bytes()
    onnx.checker.check_model(onnx.load_from_string(data))
    _check_against_torch(network, data, spec.size, points)
    return data


def _path_points(model: TrainedModel, path_spec: PathSpec | None) -> int:
    """The path input's length: 0 for a raster-only network; the spec must match the network."""
    points = model.network_config.path_points
    if points and (path_spec is None or path_spec.points != points):
        raise ValueError(f"network reads {points}-point paths; path spec says {path_spec}")
    return points


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
            # Both inputs share the one batch dimension; the exporter says it keeps one name.
            warnings.filterwarnings("ignore", message=r".*axis name: batch will not be used", category=UserWarning)
            yield
    finally:
        exporter_log.setLevel(level)


def _check_against_torch(network: torch.nn.Module, data: bytes, size: int, points: int) -> None:
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    for batch in (1, 3, 8):
        x = torch.rand(batch, 1, size, size, generator=generator)  # (B, 1, S, S)
        p = torch.rand(batch, PATH_FEATURES, points, generator=generator) * 2 - 1 if points else None  # (B, 5, P)
        with torch.no_grad():
            expected = network(x, p).numpy()  # (B, classes)
        feeds = {INPUT_NAME: x.numpy()} | ({PATH_INPUT_NAME: p.numpy()} if p is not None else {})
        (got,) = session.run([OUTPUT_NAME], feeds)
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
    path_spec: PathSpec | None = None,
) -> dict[str, Any]:
    """Everything needed to rebuild the network, preprocess its input and judge it."""
    network_config = model.network_config
    points = _path_points(model, path_spec)
    path = {} if not points or path_spec is None else {
        "path": path_spec.to_dict(),
        "path_input": {"name": PATH_INPUT_NAME, "dtype": "float32", "shape": ["batch", PATH_FEATURES, points]},
    }
    return {
        **path,
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
