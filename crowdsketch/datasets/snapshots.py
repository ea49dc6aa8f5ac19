"""Frozen snapshots of the drawings: which drawings a filter chose at one moment, their labels
then and their strokes.

A snapshot copies each chosen drawing's label, content hash, blob key, contributor, source
and licence into `dataset_items` in the transaction that makes it (one INSERT ... SELECT),
so a later relabel, flag or deletion of the drawing does not change it; an admin's deletion
of the drawing keeps its blob while a snapshot names it (`common/stroke_blobs`). Its content
hash is the SHA-256 of the sorted `label:content_hash` lines, so the same drawings give the
same hash wherever they were imported. A contributor's withdrawal is the one change a
snapshot takes (`withdrawal.py`): its drawings leave, and the snapshot notes the new hash.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy.exc
from sqlalchemy import Uuid, delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.datasets.schemas import DatasetDetail, DatasetRead, Datasheet, HashChange, ModelRef
from crowdsketch.datasets.selection import drawing_clauses
from crowdsketch.db.engine import Database
from crowdsketch.db.models import Dataset, DatasetItem, Drawing, EvalSetDrawing, ModelVersion
from crowdsketch.errors import ConflictError, NotFoundError, ValidationError
from crowdsketch.ports.blob import BlobStore
from crowdsketch.resilience import DependencyGuard

if TYPE_CHECKING:
    from crowdsketch.common.identity import AdminSession
    from crowdsketch.resources import Resources

ITEM_COLUMNS = ("dataset_id", "drawing_id", "shape_id", "blob_key", "content_hash", "session_id", "source",
                "licence", "created_at")


class DatasetNameTaken(ConflictError):
    code = "DATASET_NAME_TAKEN"
    retryable = False


class DatasetInUse(ConflictError):
    code = "DATASET_IN_USE"
    retryable = False


@dataclass(frozen=True)
class SnapshotItem:
    """One drawing of a snapshot, as training reads it."""

    drawing_id: uuid.UUID
    shape_id: str
    blob_key: str
    content_hash: str
    session_id: str | None
    source: str


def content_hash(lines: Iterable[tuple[str, str]]) -> str:
    """The SHA-256 of the sorted `label:content_hash` lines of (label, content hash) pairs."""
    digest = hashlib.sha256()
    for label, drawing_hash in sorted(lines):
        digest.update(f"{label}:{drawing_hash}\n".encode())
    return digest.hexdigest()


async def summarise(session: AsyncSession, dataset_id: uuid.UUID) -> tuple[int, dict[str, int], str]:
    """How many items the snapshot holds, per shape, and their content hash."""
    pairs = (await session.execute(
        select(DatasetItem.shape_id, DatasetItem.content_hash).where(DatasetItem.dataset_id == dataset_id)
    )).all()
    per_shape = Counter(label for label, _ in pairs)
    return len(pairs), dict(sorted(per_shape.items())), content_hash((label, h) for label, h in pairs)


async def take_out_of_snapshots(session: AsyncSession, session_id: str) -> int:
    """A contributor's withdrawal: their drawings leave every snapshot, and each snapshot
    notes how many left and its hash before and after. Answers how many snapshots changed."""
    counts = (await session.execute(
        select(DatasetItem.dataset_id, func.count()).where(DatasetItem.session_id == session_id)
        .group_by(DatasetItem.dataset_id)
    )).all()
    if not counts:
        return 0
    await session.execute(delete(DatasetItem).where(DatasetItem.session_id == session_id))
    now = datetime.now(UTC)
    for dataset_id, withdrawn in counts:
        row = await _find(session, dataset_id)
        previous = row.content_hash
        row.drawings, row.per_shape, row.content_hash = await summarise(session, dataset_id)
        row.withdrawn += withdrawn
        change = HashChange(at=now, withdrawn=withdrawn, previous_hash=previous, content_hash=row.content_hash)
        row.history = [*row.history, change.model_dump(mode="json", by_alias=True)]
    return len(counts)


class SnapshotService:
    def __init__(self, db: Database, blobs: BlobStore, blob_guard: DependencyGuard) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard

    @classmethod
    def from_resources(cls, resources: Resources) -> SnapshotService:
        return cls(resources.db, resources.blobs, resources.blob_guard)

    async def create(
        self, name: str, selection: dict[str, Any], *, implicit: bool = False, actor: AdminSession | None = None
    ) -> DatasetRead:
        """Freeze the drawings `selection` chooses now. 400 (field `filter`) if none does."""
        dataset_id = uuid.uuid4()
        try:
            async with self._db.request_session() as session:
                row = Dataset(id=dataset_id, name=name, filter=selection, drawings=0, per_shape={}, content_hash="",
                              implicit=implicit, withdrawn=0, history=[],
                              created_by=actor.admin_id if actor is not None else None, created_at=datetime.now(UTC))
                session.add(row)
                await session.flush()
                chosen = select(literal(dataset_id, Uuid()), Drawing.id, Drawing.shape_id, Drawing.blob_key,
                                Drawing.content_hash, Drawing.session_id, Drawing.source, Drawing.licence,
                                Drawing.created_at).where(*drawing_clauses(selection))
                await session.execute(insert(DatasetItem).from_select(ITEM_COLUMNS, chosen))
                row.drawings, row.per_shape, row.content_hash = await summarise(session, dataset_id)
                if row.drawings == 0:
                    raise ValidationError.for_field("filter", "no drawings match the filter")
                if actor is not None:
                    await record(session, actor.admin_id, actor.email, "dataset.create", "dataset", str(dataset_id),
                                 {"name": name, "drawings": row.drawings, "contentHash": row.content_hash})
                return _read(row, [])
        except sqlalchemy.exc.IntegrityError:
            raise DatasetNameTaken(f"a snapshot named {name!r} exists already",
                                   details=[{"field": "name", "message": "taken"}]) from None

    async def list(self) -> list[DatasetRead]:
        async with self._db.request_session() as session:
            rows = (await session.execute(select(Dataset).order_by(Dataset.created_at.desc()))).scalars().all()
            models = await _models_of(session, [row.id for row in rows])
            return [_read(row, models.get(row.id, [])) for row in rows]

    async def get(self, dataset_id: uuid.UUID) -> DatasetDetail:
        async with self._db.request_session() as session:
            row = await _find(session, dataset_id)
            models = await _models_of(session, [dataset_id])
            counts = (await session.execute(
                select(DatasetItem.source, DatasetItem.licence, func.count())
                .where(DatasetItem.dataset_id == dataset_id).group_by(DatasetItem.source, DatasetItem.licence)
            )).all()
        sources: Counter[str] = Counter()
        licences: Counter[str] = Counter()
        for source, licence, count in counts:
            sources[source] += count
            licences[licence or "unspecified"] += count
        datasheet = Datasheet(sources=dict(sorted(sources.items())), licences=dict(sorted(licences.items())),
                              history=[HashChange.model_validate(change) for change in row.history])
        return DatasetDetail(**_read(row, models.get(dataset_id, [])).model_dump(), datasheet=datasheet)

    async def delete(self, dataset_id: uuid.UUID, actor: AdminSession, *, force: bool = False) -> None:
        """Refused while a model was trained on it, unless forced (the models then name no
        snapshot here; their cards still do). Blobs only this snapshot kept go after the rows."""
        async with self._db.request_session() as session:
            row = await _find(session, dataset_id)
            versions = list((await session.execute(
                select(ModelVersion.version).where(ModelVersion.dataset_id == dataset_id).order_by(ModelVersion.version)
            )).scalars())
            if versions and not force:
                raise DatasetInUse(
                    f"models {', '.join(f'v{v}' for v in versions)} were trained on snapshot {row.name!r}; "
                    "delete it anyway with force=true",
                    details=[{"field": "force", "message": "models were trained on it", "models": versions}],
                )
            item, other = DatasetItem, DatasetItem.__table__.alias("other")
            orphaned = list((await session.execute(
                select(item.blob_key).distinct().where(
                    item.dataset_id == dataset_id,
                    ~exists().where(Drawing.blob_key == item.blob_key),
                    ~exists().where(other.c.blob_key == item.blob_key, other.c.dataset_id != dataset_id),
                )
            )).scalars())
            await session.execute(update(ModelVersion).where(ModelVersion.dataset_id == dataset_id).values(dataset_id=None))
            await session.execute(delete(DatasetItem).where(DatasetItem.dataset_id == dataset_id))
            await session.execute(delete(Dataset).where(Dataset.id == dataset_id))
            await record(session, actor.admin_id, actor.email, "dataset.delete", "dataset", str(dataset_id),
                         {"name": row.name, "models": versions, "blobsDeleted": len(orphaned)})
        # A failure here leaves blobs that nothing names: `crowdsketch doctor --repair` finds them.
        for key in orphaned:
            await self._blob_guard.call(lambda key=key: self._blobs.delete(key))

    async def items(self, dataset_id: uuid.UUID) -> list[SnapshotItem]:
        """The drawings to train on, by drawing id, less any an evaluation set has taken since."""
        async with self._db.request_session() as session:
            await _find(session, dataset_id)
            rows = (await session.execute(
                select(DatasetItem.drawing_id, DatasetItem.shape_id, DatasetItem.blob_key, DatasetItem.content_hash,
                       DatasetItem.session_id, DatasetItem.source)
                .where(DatasetItem.dataset_id == dataset_id)
                .where(DatasetItem.content_hash.not_in(select(EvalSetDrawing.content_hash)))
                .order_by(DatasetItem.drawing_id)
            )).all()
        return [SnapshotItem(*row) for row in rows]

    async def find(self, name: str) -> uuid.UUID | None:
        async with self._db.request_session() as session:
            return (await session.execute(select(Dataset.id).where(Dataset.name == name))).scalar_one_or_none()

    async def name_of(self, dataset_id: uuid.UUID) -> str:
        async with self._db.request_session() as session:
            return (await _find(session, dataset_id)).name


async def _find(session: AsyncSession, dataset_id: uuid.UUID) -> Dataset:
    row = await session.get(Dataset, dataset_id)
    if row is None:
        raise NotFoundError(f"no snapshot {dataset_id}")
    return row


async def _models_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ModelRef]]:
    found: dict[uuid.UUID, list[ModelRef]] = {}
    if not ids:
        return found
    rows = await session.execute(
        select(ModelVersion.dataset_id, ModelVersion.id, ModelVersion.version)
        .where(ModelVersion.dataset_id.in_(ids)).order_by(ModelVersion.version)
    )
    for dataset_id, model_id, version in rows.all():
        found.setdefault(dataset_id, []).append(ModelRef(id=model_id, version=version))
    return found


def _read(row: Dataset, models: list[ModelRef]) -> DatasetRead:
    return DatasetRead(id=row.id, name=row.name, drawings=row.drawings, per_shape=row.per_shape,
                       content_hash=row.content_hash, created_at=row.created_at, filter=row.filter,
                       implicit=row.implicit, withdrawn=row.withdrawn, models=models)
