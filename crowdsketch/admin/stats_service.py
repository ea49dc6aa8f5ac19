"""The collection in numbers, read from the counts the database keeps as drawings change
(`crowdsketch.common.tallies`): the Overview costs the same at a thousand drawings and at
ten million. Days are UTC days on both databases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.admin.curation_schemas import (
    DayCount,
    DeviceCount,
    HistogramBin,
    ShapeCount,
    SourceCount,
    StatsRead,
    StatsTotals,
)
from crowdsketch.common import tallies as counts
from crowdsketch.db.models import Shape

DAYS = 30
DEVICES = ("mouse", "touch", "pen")


@dataclass(frozen=True)
class ShapeTally:
    shape: Shape
    total: int
    unflagged: int


def _per_shape(shapes: Sequence[Shape], collection: counts.Tallies) -> list[ShapeTally]:
    totals = collection.by("shape_id")
    unflagged = collection.by("shape_id", counts.Dimensions(flagged=False))
    return [ShapeTally(shape, totals.get(shape.id, 0), unflagged.get(shape.id, 0)) for shape in shapes]


async def shape_tallies(session: AsyncSession, *, shape_id: str | None = None) -> list[ShapeTally]:
    """Every shape of the catalogue (or the one asked for), inactive ones included, in
    catalogue order."""
    statement = select(Shape).order_by(Shape.position, Shape.id)
    if shape_id is not None:
        statement = statement.where(Shape.id == shape_id)
    shapes = (await session.execute(statement)).scalars().all()
    return _per_shape(shapes, await counts.read_tallies(session))


def _ranked(totals: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(((key, total) for key, total in totals.items() if total), key=lambda kv: (-kv[1], kv[0]))


async def collection_stats(session: AsyncSession, today: date) -> StatsRead:
    shapes = (await session.execute(select(Shape).order_by(Shape.position, Shape.id))).scalars().all()
    collection = await counts.read_tallies(session)
    tallies = _per_shape(shapes, collection)
    drawings = collection.count()
    unflagged = sum(t.unflagged for t in tallies)
    devices = dict.fromkeys(DEVICES, 0) | dict(_ranked(collection.by("device")))
    bins = collection.by("quality_bin")
    first = today - timedelta(days=DAYS - 1)
    days = await counts.day_counts(session, first, today)
    edges = counts.BIN_EDGES
    return StatsRead(
        totals=StatsTotals(
            drawings=drawings,
            flagged=drawings - unflagged,
            unflagged=unflagged,
            flagged_share=(drawings - unflagged) / drawings if drawings else 0.0,
        ),
        per_shape=[
            ShapeCount(shape=t.shape.id, name=t.shape.name, active=t.shape.active, total=t.total, unflagged=t.unflagged)
            for t in tallies
        ],
        per_day=[DayCount(date=first + timedelta(days=i), total=days.get(first + timedelta(days=i), 0)) for i in range(DAYS)],
        quality_histogram=[HistogramBin(start=edges[i], end=edges[i + 1], total=bins.get(i, 0))
                           for i in range(counts.QUALITY_BINS)],
        contributor_sessions=await counts.contributor_sessions(session),
        by_source=[SourceCount(source=key, total=total) for key, total in _ranked(collection.by("source"))],
        by_device=[DeviceCount(device=key, total=total) for key, total in devices.items()],
    )
