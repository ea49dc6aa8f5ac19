from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from crowdsketch.admin import shapes_service as service
from crowdsketch.admin.curation_schemas import ShapeAdminRead, ShapeCreate, ShapeUpdate
from crowdsketch.admin.deps import CurrentAdmin, SessionDep
from crowdsketch.deps import ResourcesDep

router = APIRouter(tags=["admin: shapes"])

ShapeId = Annotated[str, Path(alias="id", max_length=40)]

# The changes below own their transaction rather than take `SessionDep`: the game's
# catalogue cache is invalidated after the commit, so that a reload cannot cache the old
# state. Other processes see the change when their cache expires (`shape_cache_ttl_s`).


@router.get("/shapes", response_model=list[ShapeAdminRead])
async def list_shapes(session: SessionDep) -> list[ShapeAdminRead]:
    """Every shape, inactive ones included, with how many drawings each has."""
    return await service.list_shapes(session)


@router.post(
    "/shapes", status_code=201, response_model=ShapeAdminRead, responses={409: {"description": "The id is taken"}}
)
async def create_shape(body: ShapeCreate, admin: CurrentAdmin, resources: ResourcesDep) -> ShapeAdminRead:
    async with resources.db.request_session() as session:
        shape = await service.create_shape(session, admin, body)
    resources.collection.catalog.invalidate()
    return shape


@router.patch(
    "/shapes/{id}",
    response_model=ShapeAdminRead,
    responses={404: {"description": "No shape with this id"}, 409: {"description": "The last active shape"}},
)
async def update_shape(
    shape_id: ShapeId, body: ShapeUpdate, admin: CurrentAdmin, resources: ResourcesDep
) -> ShapeAdminRead:
    """Rename, (de)activate, mark closed or move (`position`); only the fields sent change. A deactivated
    shape is no longer prompted nor accepted, and keeps its drawings."""
    async with resources.db.request_session() as session:
        shape = await service.update_shape(session, admin, shape_id, body)
    resources.collection.catalog.invalidate()
    return shape
