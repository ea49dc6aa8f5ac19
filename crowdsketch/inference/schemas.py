from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from crowdsketch.common.schemas import CamelModel
from crowdsketch.evaluation.schemas import ModelEvaluationRead
from crowdsketch.strokes import StrokeData


class ModelInfo(CamelModel):
    id: uuid.UUID
    version: int
    accuracy: float
    loaded_at: datetime
    classes: list[str]
    evaluations: list[ModelEvaluationRead] = Field(
        default_factory=list, description="Accuracy on each evaluation set of real drawings the model never trained on"
    )


class ClassifyRequest(CamelModel):
    stroke_data: StrokeData


class ShapeConfidence(CamelModel):
    shape: str
    confidence: float


class ExperimentArm(CamelModel):
    id: uuid.UUID
    arm: str = Field(description="`control` (the active model) or `treatment`")


class Classification(CamelModel):
    shape: str
    confidence: float
    all_predictions: list[ShapeConfidence]
    inference_time_ms: float
    model_version: int = Field(description="The model that answered: during an A/B experiment, the caller's arm's")
    prediction_id: str | None = Field(
        default=None, description="During an A/B experiment: say what the drawing really was with "
        "`POST /api/inference/feedback {predictionId, correctShape}` (kept a day)")
    experiment: ExperimentArm | None = Field(default=None, description="The A/B experiment and arm that answered")


class ModelCard(CamelModel):
    """What a browser needs beside the ONNX file to classify as the server does."""

    id: uuid.UUID
    version: int
    classes: list[str] = Field(description="The output's classes, in order")
    preprocessing: dict[str, Any] = Field(description="The raster spec (crowdsketch/raster.py; web/src/inference/raster.ts)")
    input_name: str = Field(description="The ONNX input: a float32 (1, 1, size, size) image")
    path: dict[str, Any] | None = Field(
        default=None, description="A model that also reads the pen's path: its spec (crowdsketch/pen_path.py; "
        "web/src/inference/penPath.ts); null for a raster-only model")
    path_input_name: str | None = Field(default=None, description="The ONNX input for the path: float32 (1, 5, points)")
    output: str = Field(default="logits", description="The ONNX output holds logits: apply softmax for probabilities")
