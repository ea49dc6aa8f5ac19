"""Scoring a drawing with a model: strokes in, one probability a class out.

Every domain that asks a model about a drawing (inference, evaluation sets, and later
agreement, shadow scoring, label-issue scans) goes through `probabilities`, so the
preprocessing is `raster.py`'s (and `pen_path.py`'s, for a model that reads the pen's path)
and nothing re-implements it. A model is the ONNX file
and the card that `training/export.py` publishes; this module reads both and imports
no training code (no torch on the serving path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import onnxruntime as ort
import orjson

from crowdsketch.pen_path import PathSpec, path_features
from crowdsketch.ports.blob import BlobStore
from crowdsketch.raster import RasterSpec, StrokesLike, rasterize
from crowdsketch.resilience import DependencyGuard

MODEL_FILE = "model.onnx"
CARD_FILE = "card.json"


class Scorable(Protocol):
    """What scoring needs of a loaded model."""

    @property
    def spec(self) -> RasterSpec: ...
    @property
    def session(self) -> ort.InferenceSession: ...
    @property
    def input_name(self) -> str: ...
    @property
    def path_spec(self) -> PathSpec | None: ...
    @property
    def path_input(self) -> str | None: ...


@dataclass(frozen=True)
class ScoringModel:
    classes: list[str]
    spec: RasterSpec
    session: ort.InferenceSession
    input_name: str
    card: dict[str, Any]
    path_spec: PathSpec | None = None  # set for a model that also reads the pen's path
    path_input: str | None = None


def model_inputs(model: Scorable, strokes: StrokesLike) -> dict[str, np.ndarray]:
    """One drawing as the ONNX inputs the model's card asks for: the raster, and the pen's path
    for a model that reads it."""
    feeds = {model.input_name: rasterize(strokes, model.spec)[np.newaxis, np.newaxis]}  # (1, 1, S, S)
    if model.path_spec is not None and model.path_input is not None:
        feeds[model.path_input] = path_features(strokes, model.path_spec)[np.newaxis]  # (1, 5, P)
    return feeds


def probabilities(model: Scorable, strokes: StrokesLike) -> np.ndarray:
    """The model's probability of each of its classes for one drawing, in card order."""
    logits = model.session.run(None, model_inputs(model, strokes))[0][0]  # (classes,)
    return _softmax(logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()


def onnx_session(onnx_bytes: bytes) -> ort.InferenceSession:
    """One thread: a server runs many requests at once, each on its own core."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])


def scoring_model(onnx_bytes: bytes, card: dict[str, Any]) -> ScoringModel:
    session = onnx_session(onnx_bytes)
    path_spec, path_input = card_path(card)
    inputs = [i.name for i in session.get_inputs()]
    return ScoringModel(
        classes=list(card["classes"]),
        spec=RasterSpec.from_dict(card["preprocessing"]),
        session=session,
        input_name=next(name for name in inputs if name != path_input),
        card=card,
        path_spec=path_spec,
        path_input=path_input,
    )


def card_path(card: dict[str, Any]) -> tuple[PathSpec | None, str | None]:
    """(path spec, ONNX input name) of a model that reads the pen's path; (None, None) for a
    raster-only model, whose card has no `path`."""
    if not card.get("path"):
        return None, None
    return PathSpec.from_dict(card["path"]), str(card["path_input"]["name"])


async def read_published(blobs: BlobStore, guard: DependencyGuard, blob_prefix: str) -> tuple[bytes, dict[str, Any]]:
    """A published model's ONNX file and card."""
    onnx_bytes = await guard.call(lambda: blobs.get(blob_prefix + MODEL_FILE))
    card = orjson.loads(await guard.call(lambda: blobs.get(blob_prefix + CARD_FILE)))
    return onnx_bytes, card
