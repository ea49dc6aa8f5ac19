from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.evaluation.service import evaluations_by_model
from crowdsketch.inference.manager import ModelManager
from crowdsketch.inference.schemas import Classification, ClassifyRequest, ModelInfo, ShapeConfidence
from crowdsketch.strokes import check_stroke_rules

router = APIRouter(prefix="/api/inference", tags=["inference"])
logger = logging.getLogger(__name__)

NO_MODEL: dict[int | str, dict[str, Any]] = {503: {"description": "No model loaded yet; see Retry-After"}}


async def get_model_manager(resources: ResourcesDep) -> ModelManager:
    return resources.models


ModelManagerDep = Annotated[ModelManager, Depends(get_model_manager)]


@router.get("/model/info", response_model=ModelInfo, responses=NO_MODEL)
async def model_info(models: ModelManagerDep, resources: ResourcesDep) -> ModelInfo:
    model = models.require()
    try:
        # Read each time: a re-scoring changes them while the model stays loaded.
        scores = await resources.db.run(lambda session: evaluations_by_model(session, [model.id]), write=False)
    except ServiceUnavailableError:
        logger.warning("model info without evaluations: the database is unavailable")
        scores = {model.id: []}
    return ModelInfo(id=model.id, version=model.version, accuracy=model.accuracy, loaded_at=model.loaded_at,
                     classes=model.classes, evaluations=scores[model.id])


@router.post("/classify", response_model=Classification,
             responses={400: {"description": "Invalid strokes; `details` names the field"}, **NO_MODEL})
async def classify(body: ClassifyRequest, models: ModelManagerDep) -> Classification:
    check_stroke_rules(body.stroke_data)
    prediction = models.classify(body.stroke_data.strokes)
    return Classification(
        shape=prediction.shape,
        confidence=prediction.confidence,
        all_predictions=[ShapeConfidence(shape=s, confidence=c) for s, c in prediction.all_predictions],
        inference_time_ms=prediction.inference_time_ms,
        model_version=prediction.model_version,
    )
