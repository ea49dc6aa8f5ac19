"""Stroke blobs that several domains read or must keep: reading many at once, exporting
drawings as lines a page at a time, and which keys a dataset snapshot still names (such a
blob outlives its drawing row)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.line_formats import ExportFormat, render_line
from crowdsketch.db.engine import Database
from crowdsketch.db.models import DatasetItem
from crowdsketch.ports.blob import BlobNotFound, BlobStore
from crowdsketch.resilience import DependencyGuard

logger = logging.getLogger(__name__)

IN_BATCH = 500
EXPORT_PAGE = 200


async def read_stroke_blobs(
    blobs: BlobStore, guard: DependencyGuard, keys: Sequence[str], concurrency: int = 16
) -> list[dict[str, Any] | None]:
    """Each key's stored JSON, read `concurrency` at a time; None for a blob that is gone."""
    limit = asyncio.Semaphore(concurrency)

    async def read(key: str) -> dict[str, Any] | None:
        async with limit:
            try:
                return orjson.loads(await guard.call(lambda: blobs.get(key)))
            except BlobNotFound:
                logger.warning("a drawing's strokes are missing", extra={"blobKey": key})
                return None

    return list(await asyncio.gather(*(read(key) for key in keys)))


async def kept_by_snapshots(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """Those of `keys` that some dataset snapshot names: their blobs must stay."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), IN_BATCH):
        statement = select(DatasetItem.blob_key).where(DatasetItem.blob_key.in_(wanted[start : start + IN_BATCH]))
        found.update((await session.execute(statement)).scalars())
    return found


async def rendered_lines(
    db: Database,
    blobs: BlobStore,
    guard: DependencyGuard,
    page: Callable[[AsyncSession, Any], Awaitable[Sequence[Row[Any]]]],
    export_format: ExportFormat,
) -> AsyncIterator[bytes]:
    """Export lines, a page of rows at a time (never the whole set in memory): `page(session,
    after)` answers up to EXPORT_PAGE rows (`id`, `shape_id`, `blob_key`, `source`,
    `quality_score`, `created_at`, `licence`) after the last row of the previous page (None
    first). A drawing whose blob is gone is left out."""
    after: Row[Any] | None = None
    while True:
        rows = await db.run(lambda session: page(session, after), write=False)
        stored = await read_stroke_blobs(blobs, guard, [row.blob_key for row in rows])
        for row, document in zip(rows, stored, strict=True):
            if document is not None:
                yield render_line(export_format, row, document)
        if len(rows) < EXPORT_PAGE:
            return
        after = rows[-1]
