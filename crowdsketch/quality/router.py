"""Peer verification in the game: the next drawing to verify, and a contributor's answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from crowdsketch.common.contributors import SESSION_ID, RequiredSessionIdHeader
from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import NotFoundError
from crowdsketch.quality.schemas import VerificationAnswer, VerificationPolicy, VerificationTaskRead, VerificationVoteRead
from crowdsketch.quality.service import VerificationService

router = APIRouter(prefix="/api/verifications", tags=["quality"])

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid answer or session; `details` names each field at fault"},
    403: {"description": "A contributor does not verify their own drawing"},
    404: {"description": "No such verification task"},
    409: {"description": "This session already gave another answer to this task"},
    429: {"description": "Too many answers from this session or address; retry after `Retry-After` seconds"},
    503: {"description": "A dependency is down; retry after `Retry-After` seconds"},
}


async def get_verification_service(resources: ResourcesDep) -> VerificationService:
    return resources.verification


VerificationServiceDep = Annotated[VerificationService, Depends(get_verification_service)]


async def count_answer(request: Request, resources: ResourcesDep) -> None:
    """Runs before the body is validated, so that every attempt counts, a bad one too."""
    session_id = request.headers.get("X-Session-Id")
    address = request.client.host if request.client else "unknown"
    await resources.vote_limits.count(session_id if session_id and SESSION_ID.match(session_id) else None, address)


@router.get("/policy", response_model=VerificationPolicy)
async def verification_policy(resources: ResourcesDep) -> VerificationPolicy:
    return VerificationPolicy(every=resources.settings.verification_every)


@router.get(
    "/next", response_model=VerificationTaskRead,
    responses={204: {"description": "No drawing is waiting for this session"}, 400: ERROR_RESPONSES[400],
               503: ERROR_RESPONSES[503]},
)
async def next_verification(
    service: VerificationServiceDep, session_id: RequiredSessionIdHeader
) -> VerificationTaskRead | Response:
    task = await service.next_task(session_id)
    if task is None:
        return Response(status_code=204)
    return task


@router.post(
    "/{task_id}", status_code=201, response_model=VerificationVoteRead, responses=ERROR_RESPONSES,
    dependencies=[Depends(count_answer)],
)
async def answer_verification(
    task_id: str, body: VerificationAnswer, service: VerificationServiceDep, session_id: RequiredSessionIdHeader
) -> VerificationVoteRead:
    try:
        task = uuid.UUID(task_id)
    except ValueError:
        raise NotFoundError("No such verification task.") from None
    return await service.answer(session_id, task, body.answer)
