"""How many drawings a list filter matches, without counting the drawings table.

The kept counts (`crowdsketch.common.tallies`) answer exactly any mix of shapes, source,
device and flag, a minimum quality on a bin edge (0.1, 0.2, ...), and a creation range of
whole UTC days when only shapes are also given. Whatever else a filter holds, the counts
give an estimate (each further condition's share of the matching drawings, as if
independent: quality bins in proportion to their overlap, days in proportion to the range).
An estimate small enough is replaced by an exact count, which an index then finds cheaply
(and which stops after `exact_limit` rows, so a wrong estimate costs little); a
larger one is answered as such, `totalIsEstimate: true`, and the dashboard says "about".
A contributor's drawings are always counted (an index finds them), up to the limit; past it,
the session's own count of its drawings gives the estimate."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common import tallies as counts
from crowdsketch.db.models import ContributorSession, Drawing

if TYPE_CHECKING:
    from crowdsketch.admin.drawings_service import DrawingFilters

# Counted exactly up to this many matches; an estimate above it (CROWDSKETCH_EXACT_COUNT_LIMIT).
EXACT_COUNT_LIMIT = 10_000
DAY = timedelta(days=1)


def _dimensions(filters: DrawingFilters) -> counts.Dimensions:
    return counts.Dimensions(shapes=filters.shapes, source=filters.source, device=filters.device,
                             flagged=filters.flagged)


def _day_share(day: date, start: datetime | None, end: datetime | None) -> float:
    """The share of a UTC day inside [start, end)."""
    day_start = datetime.combine(day, time(), tzinfo=UTC)
    lower = max(day_start, start) if start else day_start
    upper = min(day_start + DAY, end) if end else day_start + DAY
    return max(0.0, (upper - lower) / DAY)


def _aligned(moment: datetime | None) -> bool:
    return moment is None or moment.astimezone(UTC).timetz() == time(tzinfo=UTC)


async def _created_in_range(session: AsyncSession, filters: DrawingFilters) -> tuple[float, bool]:
    """Drawings of the filter's shapes created in its range (whole days exactly, the two edge
    days in proportion), and whether that is exact."""
    start, end = filters.created_from, filters.created_to
    first = start.astimezone(UTC).date() if start else None
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date() if end else None
    if first and last and last < first:
        return 0.0, True
    days = await counts.day_counts(session, first, last, filters.shapes)
    inside = sum(total * _day_share(day, start, end) for day, total in days.items())
    return inside, _aligned(start) and _aligned(end)


async def _bounded_count(session: AsyncSession, filters: DrawingFilters, limit: int) -> int:
    matching = select(literal(1)).select_from(Drawing).where(*filters.conditions()).limit(limit).subquery()
    return int((await session.execute(select(func.count()).select_from(matching))).scalar_one())


async def matching_total(
    session: AsyncSession, filters: DrawingFilters, exact_limit: int = EXACT_COUNT_LIMIT
) -> tuple[int, bool]:
    """(total, is_estimate) for a list filter: exact up to `exact_limit` matches."""
    collection = await counts.read_tallies(session)
    dimensions = _dimensions(filters)
    matching = float(collection.count(dimensions))
    exact = filters.session_id is None
    if filters.min_quality is not None or filters.max_quality is not None:
        share, share_exact = collection.quality_share(dimensions, filters.min_quality, filters.max_quality)
        matching *= share
        exact = exact and share_exact
    if filters.created_from is not None or filters.created_to is not None:
        of_shapes = collection.count(counts.Dimensions(shapes=filters.shapes))
        inside, days_exact = await _created_in_range(session, filters)
        only_shapes = dimensions == counts.Dimensions(shapes=filters.shapes) and filters.min_quality is None \
            and filters.max_quality is None
        matching = inside if only_shapes else matching * (inside / of_shapes if of_shapes else 0.0)
        exact = exact and days_exact and only_shapes
    if exact:
        return round(matching), False
    estimate = round(matching)
    if filters.session_id is not None:
        # The counts know nothing of contributors: the session's own count of what it drew
        # stands in, in the share the other conditions keep of the whole collection.
        drawn = (await session.execute(
            select(ContributorSession.drawing_count).where(ContributorSession.id == filters.session_id))).scalar() or 0
        everything = collection.count()
        estimate = round(drawn * matching / everything) if everything else 0
    if filters.session_id is not None or estimate <= exact_limit:
        found = await _bounded_count(session, filters, exact_limit + 1)
        if found <= exact_limit:
            return found, False
        return max(estimate, found), True
    return estimate, True
