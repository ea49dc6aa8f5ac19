"""Reading both sides of the stores: the blobs under a folder, and the rows that point at
blobs. Diagnosis and repair read them the same way (repair reads them again, fresh)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from crowdsketch.common.stroke_blobs import kept_by_snapshots
from crowdsketch.db.models import DatasetItem, Drawing, ModelVersion

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

DRAWINGS_PREFIX = "drawings/"
MODELS_PREFIX = "models/"
# What a models row's `blob_prefix` must hold (training/export.py writes them).
MODEL_FILES = ("model.onnx", "card.json")
# A drawing flagged for this reason has been reported and repaired: not reported again.
MISSING_STROKES_REASON = "strokes missing from the blob store (found by crowdsketch doctor)"
PAGE_SIZE = 5000


@dataclass(frozen=True)
class DrawingRow:
    id: uuid.UUID
    blob_key: str
    created_at: datetime
    flagged: bool
    flag_reason: str | None

    @property
    def flagged_as_missing(self) -> bool:
        return self.flagged and (self.flag_reason or "").startswith(MISSING_STROKES_REASON)


@dataclass(frozen=True)
class ModelRow:
    id: uuid.UUID
    version: int
    blob_prefix: str
    active: bool
    created_at: datetime

    @property
    def file_keys(self) -> tuple[str, ...]:
        return tuple(self.blob_prefix + name for name in MODEL_FILES)

    def owns(self, key: str) -> bool:
        return key.startswith(self.blob_prefix)


async def list_blobs(resources: Resources, prefix: str) -> dict[str, datetime]:
    """Every blob under `prefix`, with when it was last written. The store is pinged first,
    so that a store that is down (a blob folder that is not a folder) cannot pass for an
    empty one: that would make every drawing one without strokes."""
    await resources.blob_guard.call(resources.blobs.ping)
    async with resources.blob_guard.protect():
        return {entry.key: entry.modified_at async for entry in resources.blobs.entries(prefix)}


_DRAWING_COLUMNS = (Drawing.id, Drawing.blob_key, Drawing.created_at, Drawing.flagged, Drawing.flag_reason)


async def drawing_pages(resources: Resources) -> AsyncIterator[list[DrawingRow]]:
    """Every drawing row, a page at a time in id order (a transaction per page, so a large
    table holds no snapshot open for the whole scan)."""
    after: uuid.UUID | None = None
    while True:
        statement = select(*_DRAWING_COLUMNS).order_by(Drawing.id).limit(PAGE_SIZE)
        if after is not None:
            statement = statement.where(Drawing.id > after)
        async with resources.db.request_session() as session:
            page = [DrawingRow(*row) for row in (await session.execute(statement)).all()]
        if not page:
            return
        yield page
        after = page[-1].id


async def drawings_by_id(resources: Resources, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, DrawingRow]:
    wanted = list(ids)
    found: dict[uuid.UUID, DrawingRow] = {}
    for start in range(0, len(wanted), 500):
        statement = select(*_DRAWING_COLUMNS).where(Drawing.id.in_(wanted[start : start + 500]))
        async with resources.db.request_session() as session:
            found.update((row[0], DrawingRow(*row)) for row in (await session.execute(statement)).all())
    return found


async def keys_with_rows(resources: Resources, keys: Iterable[str]) -> set[str]:
    """Those of `keys` that some drawing row, or some dataset snapshot, points at."""
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        statement = select(Drawing.blob_key).where(Drawing.blob_key.in_(wanted[start : start + 500]))
        async with resources.db.request_session() as session:
            found.update((await session.execute(statement)).scalars())
    async with resources.db.request_session() as session:
        found |= await kept_by_snapshots(session, set(wanted) - found)
    return found


async def snapshot_blob_keys(resources: Resources) -> set[str]:
    """Every stroke blob a dataset snapshot names: kept, though its drawing row may be gone."""
    async with resources.db.request_session() as session:
        return set((await session.execute(select(DatasetItem.blob_key).distinct())).scalars())


async def model_rows(resources: Resources) -> list[ModelRow]:
    columns = (ModelVersion.id, ModelVersion.version, ModelVersion.blob_prefix, ModelVersion.active,
               ModelVersion.created_at)
    async with resources.db.request_session() as session:
        return [ModelRow(*row) for row in (await session.execute(select(*columns))).all()]
