from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from crowdsketch.routing import OrjsonRoute
from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import NotFoundError, ServiceUnavailableError
from crowdsketch.experiments.schemas import FeedbackCreate, FeedbackRead
from crowdsketch.experiments.service import ExperimentService
from crowdsketch.evaluation.service import evaluations_by_model
from crowdsketch.implementors.guard import ApiKeyUse
from crowdsketch.inference.answer import answer
from crowdsketch.inference.manager import ModelManager
from crowdsketch.inference.schemas import (
    Classification,
    ClassifyRequest,
    ModelCard,
    ModelInfo,
)
from crowdsketch.strokes import check_stroke_rules

router = APIRouter(prefix="/api/inference", tags=["inference"], route_class=OrjsonRoute)
logger = logging.getLogger(__name__)

NO_MODEL: dict[int | str, dict[str, Any]] = {503: {"description": "No model loaded yet; see Retry-After"}}
KEYED: dict[int | str, dict[str, Any]] = {
    401: {"description": "`API_KEY_REQUIRED` (where keys are required) or `API_KEY_INVALID` (unknown or revoked)"},
    429: {"description": "`RATE_LIMITED` (the key's requests a minute; `Retry-After`, `RateLimit-*`) or "
                         "`QUOTA_EXCEEDED` (its monthly quota)"},
}


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


@router.get("/model", response_class=Response, responses={
    200: {"content": {"application/octet-stream": {}}, "description": "The active model's ONNX file"},
    304: {"description": "The `If-None-Match` ETag is the active model's"},
    404: {"description": "`version` is not the active model's"}, **NO_MODEL,
})
async def model_file(
    request: Request, models: ModelManagerDep,
    version: Annotated[int | None, Query(ge=1, description="The active version: answered cacheable for good")] = None,
) -> Response:
    """The active model's ONNX file, for a browser to run (onnxruntime-web). Its ETag names
    the model; without `version` it is revalidated each time (a new active model is fetched
    at once), with the active `version` it never changes and is cached for a year."""
    model = models.require()
    if version is not None and version != model.version:
        raise NotFoundError(f"version {version} is not the active model (version {model.version})",
                            details=[{"field": "version", "message": f"the active version is {model.version}"}])
    etag = f'"model-{model.version}-{model.id.hex[:12]}"'
    cache = "public, max-age=31536000, immutable" if version is not None else "no-cache"
    headers = {"ETag": etag, "Cache-Control": cache}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(model.onnx_bytes, media_type="application/octet-stream", headers=headers)


@router.get("/model/card", response_model=ModelCard, responses=NO_MODEL)
async def model_card(models: ModelManagerDep, response: Response) -> ModelCard:
    """The active model's classes and preprocessing: with the ONNX file, a browser classifies
    as the server does."""
    model = models.require()
    response.headers["Cache-Control"] = "no-cache"
    return ModelCard(id=model.id, version=model.version, classes=model.classes,
                     preprocessing=model.card["preprocessing"], input_name=model.input_name,
                     path=model.card.get("path"), path_input_name=model.path_input)


@router.post("/classify", response_model=Classification,
             responses={400: {"description": "Invalid strokes; `details` names the field"}, **KEYED, **NO_MODEL})
async def classify(
    body: ClassifyRequest, request: Request, models: ModelManagerDep, resources: ResourcesDep, _key: ApiKeyUse,
    session_id: Annotated[str | None, Header(alias="X-Session-Id", max_length=64,
                                             description="Who calls: during an A/B experiment, one caller, one arm")] = None,
) -> Classification:
    check_stroke_rules(body.stroke_data)
    caller = session_id or (request.client.host if request.client else None)
    prediction = models.classify(body.stroke_data.strokes, caller)
    request.state.model_version = prediction.model_version  # for the key's usage
    return await answer(prediction, resources)


@router.post("/feedback", response_model=FeedbackRead, responses={
    400: {"description": "A bad body; `details` names the field"},
    404: {"description": "No such prediction: unknown, or older than a day"},
    503: {"description": "A dependency is down; retry after `Retry-After` seconds"}, **KEYED,
})
async def feedback(body: FeedbackCreate, resources: ResourcesDep, _key: ApiKeyUse) -> FeedbackRead:
    """What a classified drawing really was: the ground truth an A/B experiment is judged on.
    Giving it again for the same prediction answers the same (the first truth stands)."""
    return await ExperimentService.from_resources(resources).record_feedback(body.prediction_id, body.correct_shape)
