"""A contributor's drawing arriving: validated, stored once and only once.

Order matters: the strokes go to the blob store first and the row second, so no row ever
points at a missing blob. A blob whose row was never written is an orphan that the
reconciler (`crowdsketch doctor`) removes; it is only deleted here when the row is known
not to exist.

While the blob is written, the active model scores the drawing (quality's
`ModelAgreement`, bounded by its own timeout); its agreement goes into the row and caps the
quality score. A game drawing's verification task is inserted with its row, in one
transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from datetime import UTC, datetime

import sqlalchemy.exc
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.shapes import CatalogShape

from crowdsketch.collection.catalog import ShapeCatalog
from crowdsketch.collection.activity import DrawingActivity
from crowdsketch.collection.idempotency import IdempotencyStore, StoredResponse
from crowdsketch.collection.quality import quality_score, with_agreement
from crowdsketch.collection.schemas import DrawingCreated, ShapeRef, UserStats
from crowdsketch.common.rate_limits import WindowLimits
from crowdsketch.collection.writes import (
    DRAWING_INSERT, SESSION_UPSERT, ConsentMissing, DrawingWriter, DuplicateDrawing, OrmDrawingWriter,
    required_version,
)
from crowdsketch.datasets.consent import consent_required
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.errors import AppError
from crowdsketch.metrics import DRAWINGS_STORED
from crowdsketch.ports.blob import BlobStore
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.quality.agreement import Agreement, ModelAgreement
from crowdsketch.quality.service import VerificationService
from crowdsketch.resilience import DependencyGuard
from crowdsketch.strokes import StrokeData, check_stroke_rules

logger = logging.getLogger(__name__)

PROMPT_TTL_S = 24 * 3600


@dataclass(frozen=True)
class NewDrawing:
    """A validated drawing ready to store: its metadata row and its blob."""

    row: dict[str, Any]
    blob: bytes

    @property
    def blob_key(self) -> str:
        return self.row["blob_key"]


def new_drawing(
    data: StrokeData,
    shape: CatalogShape,
    *,
    source: str,
    content_hash: str,
    session_id: str | None = None,
    idempotency_key: str | None = None,
    created_at: datetime | None = None,
    licence: str | None = None,
    upload: PendingUpload | None = None,
) -> NewDrawing:
    """The row and blob of a drawing; an uploaded drawing's id and blob are the upload's own."""
    drawing_id = upload.drawing_id if upload is not None else uuid.uuid4()
    row = {
        "id": drawing_id,
        "session_id": session_id,
        "shape_id": shape.id,
        "blob_key": upload.blob_key if upload is not None else f"drawings/{shape.id}/{drawing_id}.json",
        "canvas_width": data.canvas.width,
        "canvas_height": data.canvas.height,
        "stroke_count": len(data.strokes),
        "point_count": data.point_count,
        "duration_ms": data.duration_ms,
        "device": data.device,
        "quality_score": quality_score(data, shape.closed),
        "source": source,
        "licence": licence,
        "flagged": False,
        "flag_reason": None,
        "content_hash": content_hash,
        "idempotency_key": idempotency_key,
        "created_at": created_at or datetime.now(UTC),
        "model_agreement": None,
        "model_shape": None,
        "model_version": None,
    }
    return NewDrawing(row, b"" if upload is not None else data.canonical_json())


def judged(row: dict[str, Any], agreement: Agreement | None) -> dict[str, Any]:
    """The row with the model's agreement recorded and folded into its quality score."""
    if agreement is None:
        return row
    return {
        **row,
        "model_agreement": agreement.probability,
        "model_shape": agreement.top_shape,
        "model_version": agreement.model_version,
        "quality_score": with_agreement(row["quality_score"], agreement.probability),
    }


class PendingUpload(Protocol):
    """A drawing the contributor uploaded straight to the blob store (`collection/uploads.py`),
    to be finalized: its id and blob key were chosen when the upload was handed out."""

    drawing_id: uuid.UUID
    blob_key: str
    sha256: str

    async def load(self) -> StrokeData:
        """The uploaded strokes, checked (410 past expiry, 400 missing, tampered or invalid)."""
        ...

    async def discard(self) -> None: ...


@dataclass(frozen=True)
class Submission:
    session_id: str
    shape_id: str
    # The strokes sent inline, or None when they were uploaded directly (`upload`).
    stroke_data: StrokeData | None
    idempotency_key: str | None
    source: str = "game"
    # The operator's licence (CROWDSKETCH_LICENCE), which the contributor agreed to.
    licence: str | None = None
    upload: PendingUpload | None = None
    # Counts the submission against the rate limits when given (collection/fast_submit.py):
    # with the idempotency claim, in one round trip; before any refusal, a refused one too.
    attempt: Attempt | None = None


@dataclass(frozen=True)
class Attempt:
    limits: WindowLimits
    session_id: str | None
    address: str

    async def count(self) -> None:
        await self.limits.count(self.session_id, self.address)

    async def count_then_set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        return await self.limits.count_then_set_nx(self.session_id, self.address, key, value, ttl_s)


class CollectionService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        blob_guard: DependencyGuard,
        kv: KeyValueStore,
        kv_guard: DependencyGuard,
        catalog: ShapeCatalog,
        idempotency: IdempotencyStore,
        *,
        agreement: ModelAgreement,
        verification: VerificationService,
        activity: DrawingActivity | None = None,
        writer: DrawingWriter | None = None,
    ) -> None:
        self._db = db
        self._writer = writer or OrmDrawingWriter(db, terms=None)
        self._blobs = blobs
        self._blob_guard = blob_guard
        self._kv = kv
        self._kv_guard = kv_guard
        self.catalog = catalog
        self._idempotency = idempotency
        self._agreement = agreement
        self._verification = verification
        self.activity = activity
        # Told of each stored submission with its strokes (an A/B experiment's shadow scoring).
        self.on_stored: Callable[[dict[str, Any], list], None] | None = None

    async def close(self) -> None:
        await self._writer.close()

    async def next_prompt(self, session_id: str) -> CatalogShape:
        """The next shape to draw: among the least drawn, never the one prompted last."""
        key = f"prompt:{session_id}"
        previous = await self._kv_guard.call(lambda: self._kv.get(key))
        shape = await self.catalog.next_prompt(previous.decode() if previous else None)
        await self._kv_guard.call(lambda: self._kv.set(key, shape.id.encode(), PROMPT_TTL_S))
        return shape

    async def submit(self, submission: Submission) -> StoredResponse:
        upload, data, attempt = submission.upload, submission.stroke_data, submission.attempt
        try:
            shape = await self.catalog.active_shape(submission.shape_id)
            if upload is None:
                assert data is not None, "a submission carries its strokes or an upload"
                check_stroke_rules(data)
                evidence = content_hash = data.content_hash()
            else:
                # An upload is only read once the key is ours: a replay answers without it,
                # also after the upload's URL has expired.
                evidence = f"upload:{upload.sha256}"
        except AppError:
            if attempt is not None:
                await attempt.count()  # a refused attempt counts too, and past a limit 429 comes first
            raise
        key = submission.idempotency_key
        fingerprint = hashlib.sha256(f"{submission.session_id}|{shape.id}|{evidence}".encode()).hexdigest()
        if key is not None:
            replay = await self._idempotency.claim(key, fingerprint, attempt.count_then_set_nx if attempt else None)
            if replay is not None:
                return replay
        elif attempt is not None:
            await attempt.count()
        try:
            if upload is not None:
                data = await upload.load()
                try:
                    check_stroke_rules(data)
                except AppError:
                    await upload.discard()
                    raise
                content_hash = data.content_hash()
            assert data is not None
            response = await self._store(submission, data, shape, content_hash)
        except BaseException:
            if key is not None:
                await self._idempotency.release(key)
            raise
        # What to remember, in one round trip: the session's new prompt, and the answer to
        # replay for the key. The drawing is stored: if the store is down, a retry with the
        # key is still answered from the row (its key is unique), and the next prompt is
        # chosen without the memory of this one.
        writes = [(f"prompt:{submission.session_id}", response.body["nextShape"]["id"].encode(), PROMPT_TTL_S)]
        if key is not None:
            writes.append(self._idempotency.completion(key, fingerprint, response))
        try:
            await self._kv_guard.call(lambda: self._kv.set_many(writes))
        except AppError:
            logger.warning("could not remember the next prompt and the answer to the idempotency key")
        return response

    async def store_drawings(self, drawings: Sequence[NewDrawing], concurrency: int = 16) -> None:
        """Store drawings in bulk (imports, seeding): every blob first, a bounded number at a
        time, then every row, and the contributor sessions they name, in one transaction."""
        semaphore = asyncio.Semaphore(concurrency)

        async def put(drawing: NewDrawing) -> None:
            async with semaphore:
                await self._put_blob(drawing)

        puts = [asyncio.ensure_future(put(drawing)) for drawing in drawings]
        try:
            await asyncio.gather(*puts)
        except BaseException:
            for task in puts:
                task.cancel()
            await asyncio.gather(*puts, return_exceptions=True)
            # No row was written yet, so none of these blobs is referenced.
            await asyncio.gather(*(self._discard_blob(d.blob_key) for d in drawings))
            raise

        per_session = Counter(d.row["session_id"] for d in drawings if d.row["session_id"] is not None)
        upsert = SESSION_UPSERT[self._db.dialect]

        async def insert(session: AsyncSession) -> None:
            connection = await session.connection()
            now = datetime.now(UTC)
            for session_id, count in sorted(per_session.items()):
                await connection.execute(upsert, {"session_id": session_id, "now": now, "today": now.date(), "count": count})
            await connection.execute(DRAWING_INSERT, [d.row for d in drawings])

        try:
            await self._db.run(insert)
        except sqlalchemy.exc.IntegrityError:
            await asyncio.gather(*(self._discard_blob(d.blob_key) for d in drawings))
            raise
        for drawing in drawings:
            self._stored(drawing.row)

    async def _put_blob(self, drawing: NewDrawing) -> None:
        await self._blob_guard.call(lambda: self._blobs.put(drawing.blob_key, drawing.blob))

    async def _store(self, submission: Submission, data: StrokeData, shape: CatalogShape, content_hash: str) -> StoredResponse:
        upload = submission.upload
        drawing = new_drawing(
            data, shape, source=submission.source, content_hash=content_hash,
            session_id=submission.session_id, idempotency_key=submission.idempotency_key,
            licence=submission.licence, upload=upload,
        )
        judging = asyncio.ensure_future(self._agreement.judge(data.strokes, shape.id)) if self._agreement.has_model else None
        if upload is None:  # an upload's blob is in place already
            try:
                await self._put_blob(drawing)
            except BaseException:
                if judging is not None:
                    judging.cancel()
                raise
        agreement = await judging if judging is not None else None
        row, blob_key = judged(drawing.row, agreement), drawing.blob_key
        try:
            stats = await self._writer.store(row, row["created_at"])
        except ConsentMissing:
            await (upload.discard() if upload is not None else self._discard_blob(blob_key))
            raise consent_required(required_version(self._writer.terms) or "") from None
        except DuplicateDrawing:
            # Nothing was written. The usual cause: the same idempotency key was stored by a
            # request whose answer was lost, or the same upload was finalized by another
            # request; that row keeps an upload's blob.
            existing = await self._find_existing(submission.idempotency_key, upload)
            if upload is None:
                await self._discard_blob(blob_key)
            if existing is None:
                raise
            return await self._response_for_existing(existing, shape)
        self._stored(row)
        if self.on_stored is not None:
            self.on_stored(row, data.strokes)
        return await self._response(row, shape, stats)

    def _stored(self, row: dict[str, Any]) -> None:
        self.catalog.record_drawing(row["shape_id"])
        DRAWINGS_STORED.labels(source=row["source"]).inc()
        if self.activity is not None:
            self.activity.record(row["shape_id"], row["created_at"])

    async def _response(self, row: dict[str, Any], shape: CatalogShape, stats: UserStats) -> StoredResponse:
        # The shape prompted last is the one just drawn: the next is another.
        next_shape = await self.catalog.next_prompt(shape.id)
        body = DrawingCreated(
            id=row["id"],
            shape=ShapeRef(id=shape.id, name=shape.name),
            quality_score=row["quality_score"],
            model_agreement=row["model_agreement"],
            model_shape=await self._shape_ref(row["model_shape"]),
            next_shape=ShapeRef(id=next_shape.id, name=next_shape.name),
            user_stats=stats,
        )
        return StoredResponse(201, body.model_dump(mode="json", by_alias=True))

    async def _response_for_existing(self, drawing: Drawing, shape: CatalogShape) -> StoredResponse:
        async def read_stats(session: AsyncSession) -> UserStats:
            row = await session.get(ContributorSession, drawing.session_id)
            if row is None:
                return UserStats(total=1, today=1)
            today = row.today_count if row.today == datetime.now(UTC).date() else 0
            return UserStats(total=row.drawing_count, today=today)

        stats = await self._db.run(read_stats, write=False)
        row = {column: getattr(drawing, column) for column in (
            "id", "session_id", "quality_score", "model_agreement", "model_shape", "model_version",
        )}
        return await self._response(row, shape, stats)

    async def _shape_ref(self, shape_id: str | None) -> ShapeRef | None:
        """A model class as the game names it; a class no longer in the catalogue by its id."""
        if shape_id is None:
            return None
        shapes = {s.id: s for s in await self.catalog.active_shapes()}
        return ShapeRef(id=shape_id, name=shapes[shape_id].name if shape_id in shapes else shape_id)

    async def _find_existing(self, key: str | None, upload: PendingUpload | None) -> Drawing | None:
        """The row stored before with this idempotency key, or from this upload."""
        conditions = [
            *([Drawing.idempotency_key == key] if key is not None else []),
            *([Drawing.id == upload.drawing_id] if upload is not None else []),
        ]
        if not conditions:
            return None

        async def find(session: AsyncSession) -> Drawing | None:
            return (await session.execute(select(Drawing).where(or_(*conditions)).limit(1))).scalar_one_or_none()

        return await self._db.run(find, write=False)

    async def _discard_blob(self, blob_key: str) -> None:
        try:
            await self._blob_guard.call(lambda: self._blobs.delete(blob_key))
        except AppError:
            logger.warning("left an orphan blob for the reconciler", extra={"blobKey": blob_key})
