"""The collection in numbers, from GROUP BY queries that run on SQLite and PostgreSQL.

Days are UTC days on both: SQLite stores a UTCDateTime as UTC wall-clock text, so `date()`
of it is the UTC date; PostgreSQL stores an instant, so it is converted to UTC before the
date is taken (a plain cast would use the connection's time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, func, literal_column, select
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
from crowdsketch.db.models import ContributorSession, Drawing, Shape

DAYS = 30
HISTOGRAM_BINS = 10
DEVICES = ("mouse", "touch", "pen")


@dataclass(frozen=True)
class ShapeTally:
    shape: Shape
    total: int
    unflagged: int


async def shape_tallies(session: AsyncSession, *, shape_id: str | None = None) -> list[ShapeTally]:
    """Every shape of the catalogue (or the one asked for), inactive ones included, in
    catalogue order."""
    unflagged = func.coalesce(func.sum(case((Drawing.flagged.is_(False), 1), else_=0)), 0)
    statement = (
        select(Shape, func.count(Drawing.id), unflagged)
        .outerjoin(Drawing, Drawing.shape_id == Shape.id)
        .group_by(Shape.id)
        .order_by(Shape.position, Shape.id)
    )
    if shape_id is not None:
        statement = statement.where(Shape.id == shape_id)
    return [ShapeTally(shape, total, int(unflagged)) for shape, total, unflagged in (await session.execute(statement)).all()]


def _utc_date(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), Drawing.created_at), Date)
    return func.date(Drawing.created_at)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def _per_day(session: AsyncSession, today: date) -> list[DayCount]:
    first = today - timedelta(days=DAYS - 1)
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    day = _utc_date(session.bind.dialect.name).label("day")
    # Grouped by the output column's name: on PostgreSQL an expression repeated in GROUP BY
    # would need its bound values to match, which it cannot tell of separate parameters.
    statement = (
        select(day, func.count())
        .where(Drawing.created_at >= start, Drawing.created_at < end)
        .group_by(literal_column("day"))
    )
    counts = {_as_date(value): total for value, total in (await session.execute(statement)).all()}
    return [DayCount(date=first + timedelta(days=i), total=counts.get(first + timedelta(days=i), 0)) for i in range(DAYS)]


async def _quality_histogram(session: AsyncSession) -> list[HistogramBin]:
    """Bin i holds [i/10, (i+1)/10); the last also holds 1.0. The edges are compared as the
    same doubles on every database (no multiply-and-floor, whose rounding differs)."""
    edges = [i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    whens = [(Drawing.quality_score < edges[i + 1], i) for i in range(HISTOGRAM_BINS - 1)]
    bin_index = case(*whens, else_=HISTOGRAM_BINS - 1).label("bin")
    statement = select(bin_index, func.count()).group_by(literal_column("bin"))
    counts = {int(index): total for index, total in (await session.execute(statement)).all()}
    return [HistogramBin(start=edges[i], end=edges[i + 1], total=counts.get(i, 0)) for i in range(HISTOGRAM_BINS)]


async def _count_by(session: AsyncSession, column: Any) -> list[tuple[str, int]]:
    statement = select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
    return [(key, total) for key, total in (await session.execute(statement)).all()]


async def collection_stats(session: AsyncSession, today: date) -> StatsRead:
    tallies = await shape_tallies(session)
    drawings = sum(t.total for t in tallies)
    unflagged = sum(t.unflagged for t in tallies)
    devices = dict.fromkeys(DEVICES, 0) | dict(await _count_by(session, Drawing.device))
    contributor_sessions = (
        await session.execute(select(func.count()).select_from(ContributorSession))
    ).scalar_one()
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
        per_day=await _per_day(session, today),
        quality_histogram=await _quality_histogram(session),
        contributor_sessions=contributor_sessions,
        by_source=[SourceCount(source=key, total=total) for key, total in await _count_by(session, Drawing.source)],
        by_device=[DeviceCount(device=key, total=total) for key, total in devices.items()],
    )
