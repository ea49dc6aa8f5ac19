"""A game drawing's row, its contributor's counts and its verification task, written in one
statement and one round trip on PostgreSQL.

The profile of the ingest path (BENCHMARKS.md, "Ingest") put a third of the server's CPU in
SQLAlchemy and the driver: a pooled connection pinged when it is taken, BEGIN, the session
upsert, the drawing insert, the task insert, COMMIT, and before all that the consent check
in a transaction of its own — about ten round trips, each through the ORM's and the
dialect's layers. Here the same writes are one statement (data-modifying CTEs, atomic like
any single statement), sent by asyncpg as a prepared statement on a pool of its own:

* the contributor's row is counted only if the session agreed to the current terms (when
  they are required) — the drawing and its task are inserted from that row, so a session
  without consent writes nothing and the statement returns no row;
* a unique violation (the same idempotency key, or the same upload, stored by a request whose
  answer was lost) is told apart from an outage: the first is the caller's to resolve, the
  second becomes `ConnectionError`, which the database guard retries or turns into a 503.

The SQLite file of the embedded stack keeps the ORM path: it has no round trips to save.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

import asyncpg
import sqlalchemy.exc
from sqlalchemy import bindparam, case
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.collection.schemas import UserStats
from crowdsketch.datasets.consent import CONSENTED_VERSION
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.quality.service import UNKNOWN_AGREEMENT_PRIORITY, VerificationService
from crowdsketch.resilience import DependencyGuard

logger = logging.getLogger(__name__)

DRAWING_COLUMNS = [column.name for column in Drawing.__table__.columns if column.name != "reviewed_at"]
# Parameters in a SELECT list are typed by their casts, not by the columns they fill.
# (Without a length: a cast to VARCHAR(n) would cut a longer value where the column refuses it.)
_DRAWING_TYPES = [re.sub(r"\(\d+\)$", "", Drawing.__table__.c[name].type.compile(dialect=postgresql.dialect()))
                  for name in DRAWING_COLUMNS]
TASK_COLUMNS = ["id", "drawing_id", "shape_id", "session_id", "priority", "votes", "created_at"]

# The contributor's counts: a new session is made by its first drawing when consent is not
# required; when it is, only a session that agreed to the current terms ($4) is counted.
_COUNT_ANY = """
    INSERT INTO contributor_sessions AS s (id, created_at, last_seen_at, drawing_count, today, today_count)
    VALUES ($1, $2, $2, 1, $3, 1)
    ON CONFLICT (id) DO UPDATE SET
        last_seen_at = EXCLUDED.last_seen_at,
        drawing_count = s.drawing_count + 1,
        today_count = CASE WHEN s.today = EXCLUDED.today THEN s.today_count + 1 ELSE 1 END,
        today = EXCLUDED.today
    WHERE $4::text IS NULL
    RETURNING s.drawing_count, s.today_count"""
_COUNT_CONSENTED = """
    UPDATE contributor_sessions AS s SET
        last_seen_at = $2,
        drawing_count = s.drawing_count + 1,
        today_count = CASE WHEN s.today = $3 THEN s.today_count + 1 ELSE 1 END,
        today = $3
    WHERE s.id = $1 AND s.consent_version = $4::text
    RETURNING s.drawing_count, s.today_count"""


def _statement(count: str) -> str:
    first = 5  # $1..$4 are the session's
    drawing_params = ", ".join(f"${first + i}::{kind}" for i, kind in enumerate(_DRAWING_TYPES))
    task_first = first + len(DRAWING_COLUMNS)
    # $task_first: the task's id, or null for a drawing that gets no task; then its priority.
    return f"""
WITH counted AS ({count}
), drawing AS (
    INSERT INTO drawings ({", ".join(DRAWING_COLUMNS)})
    SELECT {drawing_params} FROM counted
    RETURNING id, shape_id, session_id, created_at
), task AS (
    INSERT INTO verification_tasks ({", ".join(TASK_COLUMNS)})
    SELECT ${task_first}::uuid, drawing.id, drawing.shape_id, drawing.session_id, ${task_first + 1}::float8, 0,
           drawing.created_at
    FROM drawing WHERE ${task_first}::uuid IS NOT NULL
)
SELECT drawing_count, today_count FROM counted"""


class _Connection(asyncpg.Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        # Only single statements run on these connections: nothing to reset on release,
        # and so no round trip for it.
        return ""


class ConsentMissing(Exception):
    """The session has not agreed to the current terms: nothing was written."""


class DuplicateDrawing(Exception):
    """A row with this id or idempotency key exists: nothing was written."""


def _session_upsert(insert: Callable[..., Any]) -> Any:
    """Count `count` drawings for a session, creating the session with its first ones;
    returns (total, today). One statement for both dialects, built once."""
    table = ContributorSession.__table__
    statement = insert(table).values(
        id=bindparam("session_id"),
        created_at=bindparam("now"),
        last_seen_at=bindparam("now"),
        drawing_count=bindparam("count"),
        today=bindparam("today"),
        today_count=bindparam("count"),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "drawing_count": table.c.drawing_count + statement.excluded.drawing_count,
            "today_count": case(
                (table.c.today == statement.excluded.today, table.c.today_count + statement.excluded.today_count),
                else_=statement.excluded.today_count,
            ),
            "today": statement.excluded.today,
        },
    ).returning(table.c.drawing_count, table.c.today_count)


SESSION_UPSERT = {"sqlite": _session_upsert(sqlite_insert), "postgresql": _session_upsert(postgresql_insert)}
DRAWING_INSERT = Drawing.__table__.insert()


class Terms(Protocol):
    """What a writer asks of the settings, at each write: the terms in force."""

    consent_required: bool
    terms_version: str


def required_version(terms: Terms | None) -> str | None:
    """The terms version a contributor must have agreed to; None when no consent is asked."""
    return terms.terms_version if terms is not None and terms.consent_required else None


class OrmDrawingWriter:
    """The same writes in one transaction through SQLAlchemy Core (the SQLite file)."""

    def __init__(self, db: Database, *, terms: Terms | None) -> None:
        self._db = db
        self.terms = terms

    async def store(self, row: Mapping[str, Any], now: datetime) -> UserStats:
        version = required_version(self.terms)

        async def insert(session: AsyncSession) -> UserStats:
            connection = await session.connection()
            if version is not None:
                agreed = (await connection.execute(CONSENTED_VERSION, {"session_id": row["session_id"]})).scalar_one_or_none()
                if agreed != version:
                    raise ConsentMissing()
            counts = await connection.execute(
                SESSION_UPSERT[self._db.dialect],
                {"session_id": row["session_id"], "now": now, "today": now.date(), "count": 1},
            )
            total, today = counts.one()
            await connection.execute(DRAWING_INSERT, row)
            if row["source"] == "game":
                await VerificationService.add_task(connection, row)
            return UserStats(total=total, today=today)

        try:
            return await self._db.run(insert)
        except sqlalchemy.exc.IntegrityError as exc:
            raise DuplicateDrawing() from exc

    async def close(self) -> None:
        return None


TRANSIENT = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
             asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.TooManyConnectionsError,
             asyncpg.exceptions.AdminShutdownError)


class PostgresDrawingWriter:
    def __init__(self, url: str, guard: DependencyGuard, *, pool_size: int, timeout_s: float,
                 terms: Terms | None) -> None:
        self._dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._guard = guard
        # Half the ORM's pool: one statement a drawing holds a connection for one round trip.
        self._pool_size = max(2, pool_size // 2)
        self._timeout_s = timeout_s
        self.terms = terms
        self._sql = {True: _statement(_COUNT_CONSENTED), False: _statement(_COUNT_ANY)}
        self._pool: asyncpg.Pool | None = None
        self._opening: asyncio.Lock = asyncio.Lock()
        self._in_flight: set[asyncio.Future[Any]] = set()

    async def store(self, row: Mapping[str, Any], now: datetime) -> UserStats:
        """Write the drawing (and a game drawing's verification task) and count it for its
        contributor. Raises `ConsentMissing`, `DuplicateDrawing`, or the guard's 503."""
        agreement = row["model_agreement"]
        task_id = uuid.uuid4() if row["source"] == "game" else None
        version = required_version(self.terms)
        sql = self._sql[version is not None]
        args = [row["session_id"], now, now.date(), version,
                *(row[name] for name in DRAWING_COLUMNS), task_id,
                UNKNOWN_AGREEMENT_PRIORITY if agreement is None else agreement]
        try:
            counts = await self._guard.call(lambda: self._fetch(sql, args))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise DuplicateDrawing() from exc
        if counts is None:
            raise ConsentMissing()
        return UserStats(total=counts[0], today=counts[1])

    async def _fetch(self, sql: str, args: list[Any]) -> Any:
        # The statement runs in a task of its own: when the database has gone silent the
        # caller's timeout ends the wait on time, while the connection's cleanup (a cancel
        # request, its release) goes on in the background.
        task = asyncio.ensure_future(self._execute(sql, args))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return await asyncio.shield(task)

    async def _execute(self, sql: str, args: list[Any]) -> Any:
        pool = self._pool or await self._open()
        try:
            return await pool.fetchrow(sql, *args, timeout=self._timeout_s)
        except asyncpg.IntegrityConstraintViolationError:
            raise
        except TRANSIENT as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        self._dsn, min_size=0, max_size=self._pool_size, connection_class=_Connection,
                        timeout=self._timeout_s, command_timeout=max(5.0, self._timeout_s),
                        max_inactive_connection_lifetime=300,
                    )
                except TRANSIENT as exc:
                    raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
            return self._pool

    async def close(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), 5)
            except (TimeoutError, *TRANSIENT):
                self._pool.terminate()


DrawingWriter = OrmDrawingWriter | PostgresDrawingWriter


def drawing_writer(db: Database, url: str, *, pool_size: int, timeout_s: float, terms: Terms) -> DrawingWriter:
    if db.dialect == "postgresql":
        return PostgresDrawingWriter(url, db.guard, pool_size=pool_size, timeout_s=timeout_s, terms=terms)
    return OrmDrawingWriter(db, terms=terms)
