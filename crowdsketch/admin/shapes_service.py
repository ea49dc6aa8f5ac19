"""The shape catalogue as curators change it: add a shape, rename it, (de)activate it.
A shape is never deleted: its id labels drawings, exports and datasets."""

from __future__ import annotations

import sqlalchemy.exc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.identity import AdminSession
from crowdsketch.admin.curation_schemas import ShapeAdminRead, ShapeCreate, ShapeUpdate
from crowdsketch.admin.stats_service import ShapeTally, shape_tallies
from crowdsketch.db.models import Shape
from crowdsketch.errors import ConflictError, NotFoundError


def _shape_read(tally: ShapeTally) -> ShapeAdminRead:
    shape = tally.shape
    return ShapeAdminRead(
        id=shape.id, name=shape.name, closed=shape.closed, active=shape.active, position=shape.position,
        created_at=shape.created_at, total=tally.total, unflagged=tally.unflagged,
    )


async def list_shapes(session: AsyncSession) -> list[ShapeAdminRead]:
    return [_shape_read(tally) for tally in await shape_tallies(session)]


def _exists(shape_id: str) -> ConflictError:
    return ConflictError(
        f"A shape {shape_id!r} already exists.", details=[{"field": "id", "message": "already exists"}]
    )


async def create_shape(session: AsyncSession, admin: AdminSession, body: ShapeCreate) -> ShapeAdminRead:
    """Added at the end of the catalogue."""
    if await session.get(Shape, body.id) is not None:
        raise _exists(body.id)
    last = (await session.execute(select(func.max(Shape.position)))).scalar_one()
    position = 0 if last is None else last + 1
    shape = Shape(id=body.id, name=body.name, closed=body.closed, active=body.active, position=position)
    session.add(shape)
    try:
        await session.flush()
    except sqlalchemy.exc.IntegrityError:
        # Created by a concurrent request since the check above.
        raise _exists(body.id) from None
    await record(
        session, admin.admin_id, admin.email, "shape.create", "shape", shape.id,
        {"name": shape.name, "closed": shape.closed, "active": shape.active},
    )
    return _shape_read(ShapeTally(shape, 0, 0))


async def update_shape(
    session: AsyncSession, admin: AdminSession, shape_id: str, body: ShapeUpdate
) -> ShapeAdminRead:
    shape = await session.get(Shape, shape_id)
    if shape is None:
        raise NotFoundError(f"No shape {shape_id!r}")
    changes = {
        field: [getattr(shape, field), value]
        for field, value in body.model_dump(exclude_unset=True).items()
        if getattr(shape, field) != value
    }
    if changes.get("active") == [True, False]:
        others = (
            await session.execute(select(func.count()).select_from(Shape).where(Shape.active.is_(True), Shape.id != shape_id))
        ).scalar_one()
        if not others:
            raise ConflictError(
                "The last active shape cannot be deactivated: the game would have nothing to prompt.",
                details=[{"field": "active", "message": "the last active shape"}],
            )
    for field, (_, value) in changes.items():
        setattr(shape, field, value)
    await session.flush()
    if changes:
        await record(session, admin.admin_id, admin.email, "shape.update", "shape", shape_id, {"changes": changes})
    (tally,) = await shape_tallies(session, shape_id=shape_id)
    return _shape_read(tally)
