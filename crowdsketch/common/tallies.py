"""The collection's counts, read from the tables the database keeps as drawings change
(`crowdsketch.db.models_tallies`), folded by the worker, and recounted from the drawings
when `doctor` checks them.

A count is the sum of its key's rows: on PostgreSQL the triggers append a row per change
(no counter row is ever locked by a writer), and `fold` replaces each key's rows by their
sum every few seconds, so every reader here sums a few thousand rows at most, whatever the
size of the collection: one per (shape, source, device, flag, quality bin) in
`drawing_tallies` and one per (UTC day, shape) in `drawing_days`, plus what arrived since
the last fold. The triggers that keep them are in the migration
that made them; this module holds the same definitions (the quality bin, the UTC day) as
SQLAlchemy expressions, for the recount that checks them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, delete, func, insert, literal, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.db.models_tallies import CollectionCount, DrawingDay, DrawingTally

QUALITY_BINS = 10
# Bin i holds [i/10, (i+1)/10); the last also holds 1.0. The edges are the same doubles as the
# triggers' literals (i/10 is the double nearest to the decimal i/10).
BIN_EDGES = tuple(i / QUALITY_BINS for i in range(QUALITY_BINS + 1))
SESSIONS = "contributor_sessions"
FOLD_LOCK_ID = 0x74616C6C79  # "tally"
# Each counter table and its key: only keys with several rows (or a zero sum) are folded.
_FOLDED = {
    "drawing_tallies": ("shape_id", "source", "device", "flagged", "quality_bin"),
    "drawing_days": ("day", "shape_id"),
    "collection_counts": ("name",),
}


@dataclass(frozen=True)
class Tally:
    shape_id: str
    source: str
    device: str
    flagged: bool
    quality_bin: int
    total: int


@dataclass(frozen=True)
class Dimensions:
    """Filters the tallies answer exactly: each given one must hold."""

    shapes: tuple[str, ...] = ()
    source: str | None = None
    device: str | None = None
    flagged: bool | None = None

    def admits(self, tally: Tally) -> bool:
        return (
            (not self.shapes or tally.shape_id in self.shapes)
            and (self.source is None or tally.source == self.source)
            and (self.device is None or tally.device == self.device)
            and (self.flagged is None or tally.flagged == self.flagged)
        )


@dataclass(frozen=True)
class Tallies:
    rows: tuple[Tally, ...]

    def matching(self, dimensions: Dimensions) -> list[Tally]:
        return [row for row in self.rows if dimensions.admits(row)]

    def count(self, dimensions: Dimensions = Dimensions()) -> int:
        return sum(row.total for row in self.matching(dimensions))

    def by(self, attribute: str, dimensions: Dimensions = Dimensions()) -> dict[Any, int]:
        totals: dict[Any, int] = defaultdict(int)
        for row in self.matching(dimensions):
            totals[getattr(row, attribute)] += row.total
        return dict(totals)

    def quality_share(self, dimensions: Dimensions, low: float | None, high: float | None) -> tuple[float, bool]:
        """The share of the matching drawings whose quality is in [low, high], and whether it
        is exact: it is when `low` is a bin edge (or absent) and `high` is absent or at
        least 1.0; otherwise each bin counts in proportion to its overlap (an estimate)."""
        bins = self.by("quality_bin", dimensions)
        total = sum(bins.values())
        if total == 0:
            return 0.0, True
        start = 0.0 if low is None else max(0.0, low)
        end = 1.0 if high is None else min(1.0, high)
        # 1.0 is no bin's lower edge: it is the top of the last bin, whose other scores are below it.
        exact = (low is None or low in BIN_EDGES[:-1]) and (high is None or high >= 1.0)
        kept = 0.0
        for index, count in bins.items():
            lower, upper = BIN_EDGES[index], BIN_EDGES[index + 1]
            if exact:
                kept += count if lower >= start else 0
            elif end >= start:
                overlap = max(0.0, min(upper, end) - max(lower, start))
                kept += count * overlap / (upper - lower)
        return kept / total, exact


def quality_bin(column: Any) -> ColumnElement[int]:
    whens = [(column < BIN_EDGES[i + 1], i) for i in range(QUALITY_BINS - 1)]
    return case(*whens, else_=QUALITY_BINS - 1)


def utc_day(dialect: str, column: Any = Drawing.created_at) -> ColumnElement[Any]:
    """The UTC date of a timestamp: SQLite keeps UTC wall-clock text, so `date()` of it is the
    UTC date; PostgreSQL keeps an instant, converted to UTC before the date is taken."""
    if dialect == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), column), Date)
    return func.date(column)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


_TALLY_KEY = (DrawingTally.shape_id, DrawingTally.source, DrawingTally.device, DrawingTally.flagged,
              DrawingTally.quality_bin)


async def read_tallies(session: AsyncSession) -> Tallies:
    total = func.sum(DrawingTally.total)
    rows = await session.execute(select(*_TALLY_KEY, total).group_by(*_TALLY_KEY).having(total != 0))
    return Tallies(tuple(Tally(s, src, dev, bool(f), int(b), int(t)) for s, src, dev, f, b, t in rows.all()))


async def shape_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(DrawingTally.shape_id, func.sum(DrawingTally.total)).group_by(DrawingTally.shape_id))
    return {shape_id: int(total) for shape_id, total in rows.all()}


async def day_counts(
    session: AsyncSession, first: date | None = None, last: date | None = None, shapes: Iterable[str] = ()
) -> dict[date, int]:
    """Drawings per UTC day from `first` to `last` inclusive (either may be open), of the
    given shapes (all when none)."""
    statement = select(DrawingDay.day, func.sum(DrawingDay.total)).group_by(DrawingDay.day)
    if first is not None:
        statement = statement.where(DrawingDay.day >= first)
    if last is not None:
        statement = statement.where(DrawingDay.day <= last)
    shapes = tuple(shapes)
    if shapes:
        statement = statement.where(DrawingDay.shape_id.in_(shapes))
    return {_as_date(day): int(total) for day, total in (await session.execute(statement)).all() if total}


async def contributor_sessions(session: AsyncSession) -> int:
    statement = select(func.sum(CollectionCount.total)).where(CollectionCount.name == SESSIONS)
    return int((await session.execute(statement)).scalar() or 0)


# --- the recount (`crowdsketch doctor`) ---------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """A counter that is not what the rows say."""

    table: str
    key: tuple[Any, ...]
    stored: int
    actual: int


def _tally_key() -> list[ColumnElement[Any]]:
    return [Drawing.shape_id, Drawing.source, Drawing.device, Drawing.flagged, quality_bin(Drawing.quality_score)]


def _actual_statements(dialect: str) -> dict[str, Any]:
    """Each counter table's rows as the drawings and sessions make them."""
    tally_key = _tally_key()
    day = utc_day(dialect).label("day")
    return {
        DrawingTally.__tablename__: select(*tally_key, func.count()).group_by(*tally_key),
        DrawingDay.__tablename__: select(day, Drawing.shape_id, func.count()).group_by(literal_column("day"), Drawing.shape_id),
        CollectionCount.__tablename__: select(literal(SESSIONS), func.count()).select_from(ContributorSession),
    }


def _stored_statements() -> dict[str, Any]:
    """Each counter table's counts: the sum of each key's rows (PostgreSQL keeps deltas)."""
    def summed(*key: Any, total: Any) -> Any:
        return select(*key, func.sum(total)).group_by(*key)

    return {
        DrawingTally.__tablename__: summed(*_TALLY_KEY, total=DrawingTally.total),
        DrawingDay.__tablename__: summed(DrawingDay.day, DrawingDay.shape_id, total=DrawingDay.total),
        CollectionCount.__tablename__: summed(CollectionCount.name, total=CollectionCount.total),
    }


async def find_drift(session: AsyncSession) -> list[Drift]:
    """Every counter that differs from a recount. Each table's stored and actual rows are read
    by one statement, so they come from one snapshot even while drawings arrive."""
    dialect = session.bind.dialect.name
    actual, stored = _actual_statements(dialect), _stored_statements()
    drift: list[Drift] = []
    for table, recount_statement in actual.items():
        width = len(recount_statement.selected_columns) - 1
        tagged = select(literal(1).label("stored"), *stored[table].subquery().c).union_all(
            select(literal(0).label("stored"), *recount_statement.subquery().c)
        )
        values: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
        for row in (await session.execute(tagged)).all():
            key = tuple(row[1:1 + width])
            if table == DrawingDay.__tablename__:  # SQLite's date() is text
                key = (_as_date(key[0]), *key[1:])
            elif table == DrawingTally.__tablename__:
                key = (*key[:3], bool(key[3]), int(key[4]))
            values[key][0 if row[0] == 1 else 1] += int(row[-1])
        drift += [Drift(table, key, s, a) for key, (s, a) in sorted(values.items(), key=lambda kv: str(kv[0])) if s != a]
    return drift


async def recount(session: AsyncSession) -> None:
    """Replace every counter by a recount, with writes to the counted tables held off meanwhile
    on PostgreSQL (SQLite has one writer anyway). The caller commits."""
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        await session.execute(text("LOCK TABLE drawings, contributor_sessions IN SHARE MODE"))
    actual = _actual_statements(dialect)
    targets = {
        DrawingTally.__tablename__: (DrawingTally, ["shape_id", "source", "device", "flagged", "quality_bin", "total"]),
        DrawingDay.__tablename__: (DrawingDay, ["day", "shape_id", "total"]),
        CollectionCount.__tablename__: (CollectionCount, ["name", "total"]),
    }
    for table, (model, columns) in targets.items():
        await session.execute(delete(model))
        await session.execute(insert(model).from_select(columns, actual[table]))


async def fold(session: AsyncSession) -> int:
    """Replace each key's rows by one row of their sum (dropping sums of zero), in one
    statement per table so that a reader sees the counts before or after, never between.
    PostgreSQL only (SQLite's triggers upsert). One folder at a time: another caller returns
    at once. The caller commits. Returns how many rows were folded away."""
    if session.bind.dialect.name != "postgresql":
        return 0
    if not (await session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": FOLD_LOCK_ID})).scalar():
        return 0
    folded = 0
    for table, key in _FOLDED.items():
        on = " AND ".join(f"t.{column} = d.{column}" for column in key)
        columns = ", ".join(key)
        gone, kept = (await session.execute(text(f"""
            WITH d AS (SELECT {columns} FROM {table} GROUP BY {columns} HAVING count(*) > 1 OR sum(total) = 0),
            gone AS (DELETE FROM {table} t USING d WHERE {on} RETURNING {", ".join(f"t.{c}" for c in key)}, t.total),
            kept AS (INSERT INTO {table} ({columns}, total)
                     SELECT {columns}, sum(total) FROM gone GROUP BY {columns} HAVING sum(total) <> 0 RETURNING 1)
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM kept)"""))).one()
        folded += gone - kept
    return folded
