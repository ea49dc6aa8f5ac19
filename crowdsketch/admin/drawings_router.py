from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from crowdsketch.admin import drawings_service as service
from crowdsketch.admin.curation_schemas import (
    BulkFlagRequest,
    BulkFlagResult,
    DrawingDetail,
    DrawingPage,
    DrawingRead,
    FlagRequest,
)
from crowdsketch.admin.deps import CurrentAdmin, SessionDep
from crowdsketch.admin.drawings_service import DrawingCuration, DrawingFilters, SortKey, SortOrder
from crowdsketch.admin.time_range import CreatedRangeDep
from crowdsketch.common.contributors import SESSION_ID_PATTERN
from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import ValidationError

router = APIRouter(tags=["admin: drawings"])

MAX_SHAPE_FILTERS = 100

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No drawing with this id"}}


async def get_drawing_curation(resources: ResourcesDep) -> DrawingCuration:
    return DrawingCuration(resources.blobs, resources.blob_guard)


DrawingCurationDep = Annotated[DrawingCuration, Depends(get_drawing_curation)]
DrawingId = Annotated[uuid.UUID, Path(alias="id")]


async def drawing_filters(
    created: CreatedRangeDep,
    shape: Annotated[
        list[str] | None, Query(description="Shape ids: repeat the parameter, or separate them with commas")
    ] = None,
    source: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    flagged: Annotated[bool | None, Query()] = None,
    min_quality: Annotated[float | None, Query(alias="minQuality", ge=0, le=1)] = None,
    max_quality: Annotated[float | None, Query(alias="maxQuality", ge=0, le=1)] = None,
    device: Annotated[Literal["mouse", "touch", "pen"] | None, Query()] = None,
    session_id: Annotated[str | None, Query(alias="sessionId", pattern=SESSION_ID_PATTERN)] = None,
) -> DrawingFilters:
    shapes = tuple(dict.fromkeys(part.strip() for item in shape or [] for part in item.split(",") if part.strip()))
    if len(shapes) > MAX_SHAPE_FILTERS:
        raise ValidationError.for_field("query.shape", f"at most {MAX_SHAPE_FILTERS} shapes")
    if min_quality is not None and max_quality is not None and min_quality > max_quality:
        raise ValidationError.for_field("query.minQuality", "greater than maxQuality")
    return DrawingFilters(
        shapes=shapes, source=source, flagged=flagged, min_quality=min_quality, max_quality=max_quality,
        device=device, session_id=session_id, created_from=created.start, created_to=created.end,
    )


DrawingFiltersDep = Annotated[DrawingFilters, Depends(drawing_filters)]


@router.get("/drawings", response_model=DrawingPage, responses={400: {"description": "A filter is invalid"}})
async def list_drawings(
    session: SessionDep,
    resources: ResourcesDep,
    filters: DrawingFiltersDep,
    sort: Annotated[SortKey, Query()] = "created_at",
    order: Annotated[SortOrder, Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page, same sort and order")] = None,
) -> DrawingPage:
    return await service.list_drawings(session, filters, sort=sort, order=order, limit=limit, cursor=cursor,
                                       exact_limit=resources.settings.exact_count_limit)


@router.post("/drawings/flag", response_model=BulkFlagResult)
async def flag_drawings(body: BulkFlagRequest, session: SessionDep, admin: CurrentAdmin) -> BulkFlagResult:
    """Flag many drawings with one reason; ids with no drawing are listed in `unknownIds`."""
    return await service.flag_drawings(session, admin, body.ids, body.reason)


@router.get("/drawings/{id}", response_model=DrawingDetail, responses=NOT_FOUND)
async def read_drawing(drawing_id: DrawingId, session: SessionDep, curation: DrawingCurationDep) -> DrawingDetail:
    return await curation.read_drawing(session, drawing_id)


@router.post("/drawings/{id}/flag", response_model=DrawingRead, responses=NOT_FOUND)
async def flag_drawing(drawing_id: DrawingId, body: FlagRequest, session: SessionDep, admin: CurrentAdmin) -> DrawingRead:
    return await service.flag_drawing(session, admin, drawing_id, body.reason)


@router.post("/drawings/{id}/unflag", response_model=DrawingRead, responses=NOT_FOUND)
async def unflag_drawing(drawing_id: DrawingId, session: SessionDep, admin: CurrentAdmin) -> DrawingRead:
    return await service.unflag_drawing(session, admin, drawing_id)


@router.delete(
    "/drawings/{id}",
    status_code=204,
    responses={**NOT_FOUND, 503: {"description": "The blob store is down; the drawing is left whole"}},
)
async def delete_drawing(
    drawing_id: DrawingId, session: SessionDep, admin: CurrentAdmin, curation: DrawingCurationDep
) -> None:
    await curation.delete_drawing(session, admin, drawing_id)
