"""A classification's answer, as the route and the fast layer (fast_classify.py) both give it."""

from __future__ import annotations

import logging
from typing import Any

from crowdsketch.errors import AppError
from crowdsketch.experiments.service import ExperimentTracker
from crowdsketch.inference.manager import Prediction
from crowdsketch.inference.schemas import Classification, ExperimentArm, ShapeConfidence

logger = logging.getLogger(__name__)


async def answer(prediction: Prediction, resources: Any) -> Classification:
    """The body of a 200: the ranking, and during an A/B experiment the arm that answered
    and a prediction id to give feedback on (counted in the key-value store)."""
    result = Classification(
        shape=prediction.shape,
        confidence=prediction.confidence,
        all_predictions=[ShapeConfidence(shape=s, confidence=c) for s, c in prediction.all_predictions],
        inference_time_ms=prediction.inference_time_ms,
        model_version=prediction.model_version,
    )
    if prediction.experiment_id is not None and prediction.arm is not None:
        result.experiment = ExperimentArm(id=prediction.experiment_id, arm=prediction.arm)
        try:
            result.prediction_id = await ExperimentTracker(resources.kv, resources.kv_guard, resources.events).answered(
                prediction.experiment_id, prediction.arm, prediction.shape, prediction.inference_time_ms)
        except AppError:  # the answer stands; only its count and feedback are lost
            logger.warning("an experiment's answer was not counted: the key-value store is unavailable")
    return result
