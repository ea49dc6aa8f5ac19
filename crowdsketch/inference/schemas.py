from __future__ import annotations

import uuid
from datetime import datetime

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


class Classification(CamelModel):
    shape: str
    confidence: float
    all_predictions: list[ShapeConfidence]
    inference_time_ms: float
    model_version: int
