"""A contributor's drawing arriving: validated, stored once and only once.

Order matters: the strokes go to the blob store first and the row second, so no row ever
points at a missing blob. A blob whose row was never written is an orphan that the
reconciler removes; it is only deleted here when the row is known not to exist.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy.exc
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.collection.catalog import CatalogShape, ShapeCatalog
from crowdsketch.collection.idempotency import IdempotencyStore, StoredResponse
from crowdsketch.collection.quality import quality_score
from crowdsketch.collection.schemas import DrawingCreated, ShapeRef, UserStats
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.errors import AppError
from crowdsketch.metrics import DRAWINGS_STORED
from crowdsketch.ports.blob import BlobStore
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard
from crowdsketch.strokes import StrokeData, check_stroke_rules

logger = logging.getLogger(__name__)

PROMPT_TTL_S = 24 * 3600


@dataclass(frozen=True)
class Submission:
    session_id: str
    shape_id: str
    stroke_data: StrokeData
    idempotency_key: str | None
    source: str = "game"


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
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard
        self._kv = kv
        self._kv_guard = kv_guard
        self.catalog = catalog
        self._idempotency = idempotency

    async def next_prompt(self, session_id: str) -> CatalogShape:
        """The next shape to draw: among the least drawn, never the one prompted last."""
        key = f"prompt:{session_id}"
        previous = await self._kv_guard.call(lambda: self._kv.get(key))
        shape = await self.catalog.next_prompt(previous.decode() if previous else None)
        await self._kv_guard.call(lambda: self._kv.set(key, shape.id.encode(), PROMPT_TTL_S))
        return shape

    async def submit(self, submission: Submission) -> StoredResponse:
        shape = await self.catalog.active_shape(submission.shape_id)
        check_stroke_rules(submission.stroke_data)
        key = submission.idempotency_key
        fingerprint = hashlib.sha256(
            f"{submission.session_id}|{shape.id}|{submission.stroke_data.content_hash()}".encode()
        ).hexdigest()
        if key is not None:
            replay = await self._idempotency.claim(key, fingerprint)
            if replay is not None:
                return replay
        try:
            response = await self._store(submission, shape)
        except BaseException:
            if key is not None:
                await self._idempotency.release(key)
            raise
        if key is not None:
            await self._idempotency.complete(key, fingerprint, response)
        return response

    async def _store(self, submission: Submission, shape: CatalogShape) -> StoredResponse:
        data = submission.stroke_data
        drawing_id = uuid.uuid4()
        blob_key = f"drawings/{shape.id}/{drawing_id}.json"
        await self._blob_guard.call(lambda: self._blobs.put(blob_key, data.canonical_json()))
        now = datetime.now(UTC)
        drawing = Drawing(
            id=drawing_id,
            session_id=submission.session_id,
            shape_id=shape.id,
            blob_key=blob_key,
            canvas_width=data.canvas.width,
            canvas_height=data.canvas.height,
            stroke_count=len(data.strokes),
            point_count=data.point_count,
            duration_ms=data.duration_ms,
            device=data.device,
            quality_score=quality_score(data, shape.closed),
            source=submission.source,
            flagged=False,
            content_hash=data.content_hash(),
            idempotency_key=submission.idempotency_key,
            created_at=now,
        )

        async def insert(session: AsyncSession) -> UserStats:
            total = await self._count_session_drawing(session, submission.session_id, now)
            session.add(drawing)
            await session.flush()
            return UserStats(total=total, today=await self._count_today(session, submission.session_id, now))

        try:
            stats = await self._db.run(insert)
        except sqlalchemy.exc.IntegrityError:
            # The statement failed, so no row was written and the blob can go. The usual
            # cause: the same idempotency key was stored by a request whose answer was lost.
            await self._discard_blob(blob_key)
            existing = await self._find_by_key(submission.idempotency_key)
            if existing is None:
                raise
            return await self._response_for_existing(existing, shape)
        self.catalog.record_drawing(shape.id)
        DRAWINGS_STORED.labels(source=submission.source).inc()
        return await self._response(drawing, shape, stats)

    async def _response(self, drawing: Drawing, shape: CatalogShape, stats: UserStats) -> StoredResponse:
        try:
            next_shape = await self.next_prompt(drawing.session_id or "")
        except AppError:
            # The drawing is stored: a prompt chosen without the session's memory is better
            # than failing the submission.
            next_shape = await self.catalog.next_prompt(shape.id)
        body = DrawingCreated(
            id=drawing.id,
            shape=ShapeRef(id=shape.id, name=shape.name),
            quality_score=drawing.quality_score,
            next_shape=ShapeRef(id=next_shape.id, name=next_shape.name),
            user_stats=stats,
        )
        return StoredResponse(201, body.model_dump(mode="json", by_alias=True))

    async def _response_for_existing(self, drawing: Drawing, shape: CatalogShape) -> StoredResponse:
        async def read_stats(session: AsyncSession) -> UserStats:
            session_row = await session.get(ContributorSession, drawing.session_id)
            today = await self._count_today(session, drawing.session_id or "", datetime.now(UTC))
            return UserStats(total=session_row.drawing_count if session_row else 1, today=today)

        return await self._response(drawing, shape, await self._db.run(read_stats, write=False))

    async def _count_session_drawing(self, session: AsyncSession, session_id: str, now: datetime) -> int:
        insert = sqlite_insert if self._db.dialect == "sqlite" else postgresql_insert
        statement = (
            insert(ContributorSession)
            .values(id=session_id, created_at=now, last_seen_at=now, drawing_count=1)
            .on_conflict_do_update(
                index_elements=[ContributorSession.id],
                set_={"last_seen_at": now, "drawing_count": ContributorSession.drawing_count + 1},
            )
            .returning(ContributorSession.drawing_count)
        )
        return (await session.execute(statement)).scalar_one()

    @staticmethod
    async def _count_today(session: AsyncSession, session_id: str, now: datetime) -> int:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        statement = select(func.count()).where(Drawing.session_id == session_id, Drawing.created_at >= midnight)
        return (await session.execute(statement)).scalar_one()

    async def _find_by_key(self, key: str | None) -> Drawing | None:
        if key is None:
            return None

        async def find(session: AsyncSession) -> Drawing | None:
            return (await session.execute(select(Drawing).where(Drawing.idempotency_key == key))).scalar_one_or_none()

        return await self._db.run(find, write=False)

    async def _discard_blob(self, blob_key: str) -> None:
        try:
            await self._blob_guard.call(lambda: self._blobs.delete(blob_key))
        except AppError:
            logger.warning("left an orphan blob for the reconciler", extra={"blobKey": blob_key})
