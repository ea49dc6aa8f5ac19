"""What each key's callers did: counted in memory per process and added to the database
about once a second, per key, UTC day, model version and latency bucket. Adding counts
(`requests = requests + n`) lets every process write the same rows."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.engine import Database
from crowdsketch.db.models import ApiKey, ApiKeyUsage
from crowdsketch.errors import AppError

logger = logging.getLogger(__name__)

FLUSH_EVERY_S = 1.0
_FLOOR_MS = 1 / 64  # everything faster shares the lowest bucket


def bucket_of(ms: float) -> int:
    """Quarter octaves: bucket b holds [2^(b/4), 2^((b+1)/4)) ms above 1/64 ms."""
    return max(0, math.floor(4 * math.log2(max(ms, _FLOOR_MS) / _FLOOR_MS)))


def bucket_middle_ms(bucket: int) -> float:
    return _FLOOR_MS * 2 ** ((bucket + 0.5) / 4)


def median_ms(buckets: Iterable[tuple[int, int]]) -> float | None:
    """The median from (bucket, count) pairs, to within an eighth of an octave (±9%)."""
    ordered = sorted(buckets)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    seen = 0
    for bucket, count in ordered:
        seen += count
        if seen * 2 >= total:
            return round(bucket_middle_ms(bucket), 3)
    return None


Row = tuple[uuid.UUID, date, int, int]  # key, day, model version (0: none), bucket


class UsageRecorder:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._requests: Counter[Row] = Counter()
        self._errors: Counter[Row] = Counter()
        self._last_used: dict[uuid.UUID, datetime] = {}
        self._flusher: asyncio.Task[None] | None = None

    def record(self, key_id: uuid.UUID, ms: float, model_version: int | None, error: bool) -> None:
        now = datetime.now(UTC)
        row = (key_id, now.date(), model_version or 0, bucket_of(ms))
        self._requests[row] += 1
        if error:
            self._errors[row] += 1
        self._last_used[key_id] = now
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush_soon())

    async def _flush_soon(self) -> None:
        # Calls counted while a flush writes wait for the next round, not for the next call.
        while self._requests:
            await asyncio.sleep(FLUSH_EVERY_S)
            await self.flush()

    async def flush(self) -> None:
        requests, errors, last_used = self._requests, self._errors, self._last_used
        if not requests:
            return
        self._requests, self._errors, self._last_used = Counter(), Counter(), {}
        insert = sqlite_insert if self._db.dialect == "sqlite" else postgresql_insert

        statement = insert(ApiKeyUsage)
        statement = statement.on_conflict_do_update(
            index_elements=["key_id", "day", "model_version", "bucket"],
            set_={"requests": ApiKeyUsage.requests + statement.excluded.requests,
                  "errors": ApiKeyUsage.errors + statement.excluded.errors},
        )
        # In one order, so that two processes adding to the same rows never deadlock.
        rows = [{"key_id": key_id, "day": day, "model_version": version, "bucket": bucket, "requests": count,
                 "errors": errors[(key_id, day, version, bucket)]}
                for (key_id, day, version, bucket), count in sorted(requests.items(), key=lambda item: str(item[0]))]

        async def write(session: AsyncSession) -> None:
            await session.execute(statement, rows)  # one executemany
            for key_id, when in sorted(last_used.items(), key=lambda item: str(item[0])):
                await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=when))

        try:
            await self._db.run(write)
        except AppError:  # the database is away: keep the counts for the next flush
            logger.warning("could not write API key usage; kept for the next try")
            self._requests.update(requests)
            self._errors.update(errors)
            for key_id, when in last_used.items():
                self._last_used.setdefault(key_id, when)

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        with contextlib.suppress(Exception):
            await self.flush()
