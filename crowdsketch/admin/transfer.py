"""Export and import of drawings as JSON Lines (formats in `common/line_formats`).

Neither holds the dataset in memory. Export walks the drawings in (created_at, id) order a
page at a time and reads each page's blobs concurrently. Import reads a line at a time and
stores a batch at a time through the collection service: blobs first, then the batch's
rows in one transaction. A drawing is recognised by its content hash, so importing the same
file twice, or a file holding the same drawing twice, stores it once, and an import that
stopped half-way can simply be run again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, false, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common import tallies
from crowdsketch.common.audit import record
from crowdsketch.common.line_formats import SOURCE_PATTERN, ExportFormat, LineError, ParsedLine, parse_line
from crowdsketch.common.stroke_blobs import EXPORT_PAGE, rendered_lines
from crowdsketch.admin.transfer_schemas import ImportLineError, ImportSummary
from crowdsketch.common.shapes import CatalogShape
from crowdsketch.collection.service import CollectionService, new_drawing
from crowdsketch.db.engine import Database
from crowdsketch.db.models import Drawing, Shape
from crowdsketch.errors import ValidationError
from crowdsketch.ports.blob import BlobStore
from crowdsketch.resilience import DependencyGuard

if TYPE_CHECKING:
    from crowdsketch.common.identity import AdminSession
    from crowdsketch.resources import Resources


IMPORT_BATCH = 100
BLOB_CONCURRENCY = 16
MAX_REPORTED_ERRORS = 100


def imported_session_id(source: str, contributor: str | None) -> str | None:
    """The contributor session of an imported drawing whose file names who drew it. The
    colon keeps it apart from every game session id (letters, digits, '_' and '-'), and
    the source keeps two files' writers "s02" apart when they were imported as different
    sources."""
    return f"{source}:{contributor}" if contributor is not None else None


@dataclass(frozen=True)
class ExportFilter:
    shapes: tuple[str, ...] = ()
    include_flagged: bool = False
    source: str | None = None
    # One contributor's drawings (their own export).
    session_id: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.session_id is not None:
            clauses.append(Drawing.session_id == self.session_id)
        if self.shapes:
            clauses.append(Drawing.shape_id.in_(self.shapes))
        if not self.include_flagged:
            clauses.append(Drawing.flagged == false())
        if self.source is not None:
            clauses.append(Drawing.source == self.source)
        return clauses


_EXPORT_COLUMNS = (Drawing.id, Drawing.shape_id, Drawing.blob_key, Drawing.source, Drawing.quality_score,
                   Drawing.created_at, Drawing.licence)


class TransferService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        blob_guard: DependencyGuard,
        collection: CollectionService,
        max_line_bytes: int,
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard
        self._collection = collection
        # A line is one drawing: it may be as large as the game's whole request body.
        self.max_line_bytes = max_line_bytes

    @classmethod
    def from_resources(cls, resources: Resources) -> TransferService:
        return cls(resources.db, resources.blobs, resources.blob_guard, resources.collection, resources.settings.max_body_bytes)

    async def export_filter(
        self, shapes: Iterable[str] = (), include_flagged: bool = False, source: str | None = None
    ) -> ExportFilter:
        """A filter whose shapes are all in the catalogue (active or not)."""
        shapes = tuple(dict.fromkeys(shapes))
        known = await self._all_shapes()
        unknown = [shape for shape in shapes if shape not in known]
        if unknown:
            raise ValidationError.for_field("shape", f"unknown shape {unknown[0]!r}")
        return ExportFilter(shapes, include_flagged, source)

    async def count(self, export_filter: ExportFilter) -> int:
        """How many drawings the export will write, from the kept counts (no scan; exact:
        shapes, source and flag are among the dimensions they are kept by)."""
        dimensions = tallies.Dimensions(
            shapes=export_filter.shapes, source=export_filter.source,
            flagged=None if export_filter.include_flagged else False,
        )

        async def count(session: AsyncSession) -> int:
            if export_filter.session_id is not None:
                statement = select(func.count()).select_from(Drawing).where(*export_filter.clauses())
                return (await session.execute(statement)).scalar_one()
            return (await tallies.read_tallies(session)).count(dimensions)

        return await self._db.run(count, write=False)

    async def export_lines(self, export_filter: ExportFilter, export_format: ExportFormat) -> AsyncIterator[bytes]:
        async for line in rendered_lines(
            self._db, self._blobs, self._blob_guard, lambda session, after: self._page(session, export_filter, after),
            export_format,
        ):
            yield line

    @staticmethod
    async def _page(session: AsyncSession, export_filter: ExportFilter, after: Row[Any] | None) -> Sequence[Row[Any]]:
        statement = (
            select(*_EXPORT_COLUMNS)
            .where(*export_filter.clauses())
            .order_by(Drawing.created_at, Drawing.id)
            .limit(EXPORT_PAGE)
        )
        if after is not None:
            statement = statement.where(tuple_(Drawing.created_at, Drawing.id) > tuple_(after.created_at, after.id))
        return (await session.execute(statement)).all()

    async def import_lines(
        self, lines: AsyncIterator[bytes], source: str = "import", actor: AdminSession | None = None
    ) -> ImportSummary:
        """Store every valid line not stored before; report the others by line number.
        With `actor`, the import is written to the audit log."""
        if not SOURCE_PATTERN.match(source):
            raise ValidationError.for_field("source", "1-16 lower-case letters, digits, '-' or '_', starting with a letter")
        shapes = await self._all_shapes()
        summary = ImportSummary(lines=0, imported=0, duplicates=0, failed=0, errors=[])
        batch: dict[str, ParsedLine] = {}
        number = 0
        async for raw in lines:
            number += 1
            if not raw.strip():
                continue
            summary.lines += 1
            try:
                parsed = parse_line(raw, shapes, self.max_line_bytes)
            except LineError as error:
                summary.failed += 1
                if len(summary.errors) < MAX_REPORTED_ERRORS:
                    summary.errors.append(ImportLineError(line=number, field=error.field, message=error.message))
                continue
            if parsed.content_hash in batch:
                summary.duplicates += 1
                continue
            batch[parsed.content_hash] = parsed
            if len(batch) >= IMPORT_BATCH:
                await self._store_batch(batch, source, summary)
        await self._store_batch(batch, source, summary)
        if actor is not None:
            details = summary.model_dump(include={"lines", "imported", "duplicates", "failed"}) | {"source": source}
            await self._db.run(lambda session: record(session, actor.admin_id, actor.email, "import", details=details))
        return summary

    async def _store_batch(self, batch: dict[str, ParsedLine], source: str, summary: ImportSummary) -> None:
        """Store the batch's drawings whose hash is not in the database yet (one IN query)."""
        if not batch:
            return
        hashes = list(batch)

        async def stored_hashes(session: AsyncSession) -> set[str]:
            statement = select(Drawing.content_hash).where(Drawing.content_hash.in_(hashes))
            return set((await session.execute(statement)).scalars())

        existing = await self._db.run(stored_hashes, write=False)
        fresh = [
            new_drawing(line.data, line.shape, source=line.source or source, content_hash=content_hash,
                        session_id=imported_session_id(line.source or source, line.contributor),
                        created_at=line.created_at, licence=line.licence)
            for content_hash, line in batch.items()
            if content_hash not in existing
        ]
        if fresh:
            await self._collection.store_drawings(fresh, BLOB_CONCURRENCY)
        summary.imported += len(fresh)
        summary.duplicates += len(batch) - len(fresh)
        batch.clear()

    async def _all_shapes(self) -> dict[str, CatalogShape]:
        """Every shape of the catalogue, active or not: a file may hold retired shapes."""

        async def load(session: AsyncSession) -> dict[str, CatalogShape]:
            rows = (await session.execute(select(Shape))).scalars()
            return {row.id: CatalogShape(row.id, row.name, row.closed, row.position) for row in rows}

        return await self._db.run(load, write=False)
