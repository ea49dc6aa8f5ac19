"""Evaluation sets, for admins: mounted with the admin routers (session and CSRF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from crowdsketch.common.identity import CurrentAdmin
from crowdsketch.common.line_formats import lines_from_chunks
from crowdsketch.deps import ResourcesDep
from crowdsketch.evaluation.schemas import EvalSetRead
from crowdsketch.evaluation.service import EvaluationService

router = APIRouter(prefix="/eval-sets", tags=["admin: evaluation sets"])

NDJSON = "application/x-ndjson"


async def get_evaluation_service(resources: ResourcesDep) -> EvaluationService:
    return EvaluationService.from_resources(resources)


EvaluationServiceDep = Annotated[EvaluationService, Depends(get_evaluation_service)]


@router.get("", response_model=list[EvalSetRead])
async def list_eval_sets(service: EvaluationServiceDep) -> list[EvalSetRead]:
    """Oldest first."""
    return await service.list_sets()


@router.post(
    "",
    status_code=201,
    response_model=EvalSetRead,
    openapi_extra={
        "requestBody": {"required": True, "content": {NDJSON: {"schema": {"type": "string", "format": "binary"}}}}
    },
    responses={
        409: {"description": "A set of that name is registered"},
        413: {"description": "Body over `max_import_bytes`"},
    },
)
async def add_eval_set(
    request: Request,
    admin: CurrentAdmin,
    service: EvaluationServiceDep,
    name: Annotated[str, Query(max_length=40, description="The set's name, e.g. `dollar1`")],
) -> EvalSetRead:
    """Register a set of labelled drawings: a JSON Lines file as the raw body, in either of
    the import's formats. Every line must be valid (400 names the line and field at fault).
    From now on its drawings are kept out of training, and every new model is scored on it."""
    lines = lines_from_chunks(request.stream(), service.max_line_bytes)
    return await service.add_set(name, lines, actor=admin)


@router.delete("/{name}", status_code=204, response_class=Response, responses={404: {"description": "No such set"}})
async def remove_eval_set(
    name: Annotated[str, Path(max_length=40)], admin: CurrentAdmin, service: EvaluationServiceDep
) -> Response:
    """The set, and every model's score on it."""
    await service.remove_set(name, actor=admin)
    return Response(status_code=204)
