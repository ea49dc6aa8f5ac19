"""The database port: one async engine (SQLite through aiosqlite, or PostgreSQL through
asyncpg), chosen by URL, and transactions guarded against outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import sqlalchemy.exc
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from crowdsketch.resilience import DependencyGuard

T = TypeVar("T")

# Errors that mean "the database is unreachable or busy", not "this statement is wrong".
TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    OSError,
)


def is_lost_connection(exc: BaseException) -> bool:
    """A driver error raised because the connection died (the server went away mid-query)."""
    return isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated


def create_engine(url: str, *, timeout_s: float, pool_size: int) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": timeout_s})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(
        url,
        # A pooled connection may have died with the server (or the network) since it was
        # last used: ping it when it is taken, so that a dead one is replaced there and then
        # instead of failing the request that drew it, long after the server came back.
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout_s,
        pool_recycle=1800,
        connect_args={"timeout": timeout_s, "command_timeout": max(5.0, timeout_s)},
    )


class Database:
    def __init__(self, engine: AsyncEngine, guard: DependencyGuard) -> None:
        self.engine = engine
        self.guard = guard
        self._timeout_s = guard.policy.timeout_s
        self._in_flight: set[asyncio.Future[object]] = set()
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer at a time; queueing writers here, in order, is cheaper than
        # letting them spin on the file lock.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, write: bool = True) -> T:
        """Run `work` in one transaction: committed if it returns, rolled back if it raises.

        The caller waits at most about the dependency timeout. On a server database the work
        runs in its own task, so that when the database has gone silent the caller gets its
        503 on time while the task's cleanup (a rollback, closing a dead connection:
        SQLAlchemy allows itself 2 s for that) finishes in the background. A SQLite file
        never goes silent, its busy timeout bounds every statement, and a statement
        cancelled half-way could leave its connection holding the write lock: there the
        work is awaited, not cancelled."""
        async with self.guard.protect():
            if self._write_lock is not None:
                return await self._run_on_file(work, write)
            task = asyncio.ensure_future(self._transaction(work))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            try:
                return await asyncio.wait_for(asyncio.shield(task), self._timeout_s)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
                raise

    async def _run_on_file(self, work: Callable[[AsyncSession], Awaitable[T]], write: bool) -> T:
        assert self._write_lock is not None
        if not write:
            return await self._transaction(work)
        # Waiting behind a writer that is itself stuck must end in a 503, not a queue.
        async with asyncio.timeout(self._timeout_s):
            await self._write_lock.acquire()
        try:
            return await self._transaction(work)
        finally:
            self._write_lock.release()

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self.sessions.begin() as session:
            return await work(session)

    @asynccontextmanager
    async def request_session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction a request owns: committed when the block ends, rolled
        back if it raises. For the admin routes: the statements of a curation request are
        few and bounded by the driver's own timeouts."""
        async with self.guard.protect(), self.sessions.begin() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self.engine.dispose()
