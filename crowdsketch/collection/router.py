from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from crowdsketch.responses import JsonResponse

from crowdsketch.collection.schemas import DrawingCreate, DrawingCreated, GameSettings, ShapeRead, ShapeRef
from crowdsketch.collection.service import Submission
from crowdsketch.common.contributors import SESSION_ID, SESSION_ID_PATTERN
from crowdsketch.routing import OrjsonRoute
from crowdsketch.deps import CollectionServiceDep, ResourcesDep
from crowdsketch.errors import ValidationError

router = APIRouter(prefix="/api", tags=["collection"], route_class=OrjsonRoute)

SessionIdHeader = Annotated[
    str | None,
    Header(
        alias="X-Session-Id",
        pattern=SESSION_ID_PATTERN,
        description="The contributor's session (made by the server and returned when absent).",
    ),
]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="X-Idempotency-Key",
        min_length=1,
        max_length=200,
        description="`{sessionId}:{shapeId}:{timestamp}`: a retry with the same key gets the first answer.",
    ),
]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid drawing; `details` names each field at fault"},
    403: {"description": "`CONSENT_REQUIRED`: the session has not agreed to the current terms (`POST /api/consent`)"},
    404: {"description": "`UPLOAD_NOT_FOUND`: no such upload of this session for this shape (`uploadId`)"},
    410: {"description": "`UPLOAD_EXPIRED`: the upload's time ran out before it was finalized; ask for a new one"},
    409: {"description": "The idempotency key is in flight, or was used for another drawing"},
    413: {"description": "Body over 1 MiB"},
    429: {"description": "Too many drawings from this session or address; retry after `Retry-After` seconds"},
    503: {"description": "A dependency is down; retry after `Retry-After` seconds"},
}


@router.get("/shapes", response_model=list[ShapeRead])
async def list_shapes(service: CollectionServiceDep) -> list[ShapeRead]:
    return [ShapeRead(id=s.id, name=s.name, closed=s.closed) for s in await service.catalog.active_shapes()]


@router.get("/game/settings", response_model=GameSettings)
async def game_settings(resources: ResourcesDep) -> GameSettings:
    """What the operator chose for the game: whether it guesses aloud while people draw
    (`CROWDSKETCH_LIVE_GUESS`; off for those who don't want contributors primed by the model)."""
    return GameSettings(live_guess=resources.settings.live_guess,
                        direct_upload_bytes=resources.settings.direct_upload_bytes)


@router.get("/shapes/next", response_model=ShapeRef, responses={503: ERROR_RESPONSES[503]})
async def next_shape(service: CollectionServiceDep, response: Response, session_id: SessionIdHeader = None) -> ShapeRef:
    session_id = session_id or str(uuid.uuid4())
    shape = await service.next_prompt(session_id)
    response.headers["X-Session-Id"] = session_id
    return ShapeRef(id=shape.id, name=shape.name)


async def count_submission(request: Request, resources: ResourcesDep) -> None:
    """Runs before the body is validated, so that every attempt counts, a bad one too. A
    direct upload was counted when it was asked for (`POST /api/drawings/uploads`), so its
    finalize is not counted again; a finalize needs that upload's signed id to get anywhere."""
    if request.url.path == "/api/drawings" and b'"uploadId"' in await request.body():
        return
    session_id = request.headers.get("X-Session-Id")
    address = request.client.host if request.client else "unknown"
    await resources.submission_limits.count(session_id if session_id and SESSION_ID.match(session_id) else None, address)


@router.post(
    "/drawings", status_code=201, response_model=DrawingCreated, responses=ERROR_RESPONSES,
    dependencies=[Depends(count_submission)],
)
async def submit_drawing(
    body: DrawingCreate,
    service: CollectionServiceDep,
    resources: ResourcesDep,
    session_id: SessionIdHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JsonResponse:
    session_id = session_id or str(uuid.uuid4())
    if (body.stroke_data is None) == (body.upload_id is None):
        field = "strokeData" if body.upload_id is None else "uploadId"
        raise ValidationError.for_field(field, "send the strokes inline (strokeData) or the id of their upload (uploadId), one of them")
    # Consent is checked where the drawing is written, in the same statement or transaction.
    upload = None
    if body.upload_id is not None:
        from crowdsketch.collection.uploads import pending_upload

        upload = pending_upload(resources, session_id=session_id, shape_id=body.shape_id, upload_id=body.upload_id)
    answer = await service.submit(
        Submission(
            session_id=session_id,
            shape_id=body.shape_id,
            stroke_data=body.stroke_data,
            idempotency_key=idempotency_key,
            licence=resources.settings.licence,
            upload=upload,
        )
    )
    return JsonResponse(answer.body, status_code=answer.status, headers={"X-Session-Id": session_id})
