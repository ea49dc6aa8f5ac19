"""The database port: one async engine (SQLite through aiosqlite, or PostgreSQL through
asyncpg), chosen by URL, and transactions guarded against outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy.exc
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from crowdsketch.resilience import DependencyGuard

# Errors that mean "the database is unreachable or busy", not "this statement is wrong".
TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    OSError,
)


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
        self._lock_timeout_s = guard.policy.timeout_s
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer at a time; queueing writers here, in order, is cheaper than
        # letting them spin on the file lock.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back if it raises; an outage
        becomes a 503 through the guard."""
        async with self.guard.protect():
            if write and self._write_lock is not None:
                # Waiting behind a writer that is itself stuck must end in a 503, not a queue.
                async with asyncio.timeout(self._lock_timeout_s):
                    await self._write_lock.acquire()
                try:
                    async with self.sessions.begin() as session:
                        yield session
                finally:
                    self._write_lock.release()
            else:
                async with self.sessions.begin() as session:
                    yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
