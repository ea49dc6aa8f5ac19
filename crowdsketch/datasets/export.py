"""Drawings out as JSON Lines, streamed a page at a time: a snapshot (as it was frozen: its
labels, its strokes) with its datasheet, and a contributor's own drawings."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, Row, literal, null, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.line_formats import ExportFormat
from crowdsketch.common.stroke_blobs import EXPORT_PAGE, rendered_lines
from crowdsketch.datasets.schemas import DatasetDetail
from crowdsketch.db.models import DatasetItem, Drawing

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

# A snapshot keeps no quality score (it is the drawing's, and may change): exported as null.
_ITEM_COLUMNS = (DatasetItem.drawing_id.label("id"), DatasetItem.shape_id, DatasetItem.blob_key, DatasetItem.source,
                 null().cast(Float).label("quality_score"), DatasetItem.created_at, DatasetItem.licence)
_DRAWING_COLUMNS = (Drawing.id, Drawing.shape_id, Drawing.blob_key, Drawing.source, Drawing.quality_score,
                    Drawing.created_at, Drawing.licence)


def snapshot_lines(resources: Resources, dataset_id: uuid.UUID, export_format: ExportFormat) -> AsyncIterator[bytes]:
    """The snapshot's drawings by drawing id, each with the label it had when frozen."""

    async def page(session: AsyncSession, after: Row[Any] | None) -> Sequence[Row[Any]]:
        statement = (select(*_ITEM_COLUMNS).where(DatasetItem.dataset_id == dataset_id)
                     .order_by(DatasetItem.drawing_id).limit(EXPORT_PAGE))
        if after is not None:
            statement = statement.where(DatasetItem.drawing_id > literal(after.id, DatasetItem.drawing_id.type))
        return (await session.execute(statement)).all()

    return rendered_lines(resources.db, resources.blobs, resources.blob_guard, page, export_format)


def session_lines(resources: Resources, session_id: str) -> AsyncIterator[bytes]:
    """Every drawing the session made, flagged ones too, oldest first."""

    async def page(session: AsyncSession, after: Row[Any] | None) -> Sequence[Row[Any]]:
        statement = (select(*_DRAWING_COLUMNS).where(Drawing.session_id == session_id)
                     .order_by(Drawing.created_at, Drawing.id).limit(EXPORT_PAGE))
        if after is not None:
            statement = statement.where(tuple_(Drawing.created_at, Drawing.id) > tuple_(after.created_at, after.id))
        return (await session.execute(statement)).all()

    return rendered_lines(resources.db, resources.blobs, resources.blob_guard, page, "ndjson")


def datasheet_markdown(dataset: DatasetDetail, file_name: str | None = None) -> str:
    """A short datasheet for people: what the snapshot holds, where from, under what terms,
    how it was chosen, and the hash that identifies its content."""
    sheet = dataset.datasheet
    lines = [
        f"# Datasheet: {dataset.name}",
        "",
        f"- Snapshot id: `{dataset.id}`",
        f"- Created: {dataset.created_at.isoformat()}" + (" (by a training job)" if dataset.implicit else ""),
        f"- Drawings: {dataset.drawings}" + (f" ({dataset.withdrawn} withdrawn by their contributors since)"
                                             if dataset.withdrawn else ""),
        f"- Content hash (SHA-256 of the sorted `label:drawing hash` lines): `{dataset.content_hash}`",
    ]
    if file_name:
        lines.append(f"- File: `{file_name}` (one drawing a line)")
    lines += ["", "## Drawings per shape", "", "| shape | drawings |", "|---|---:|"]
    lines += [f"| {shape} | {count} |" for shape, count in dataset.per_shape.items()]
    lines += ["", "## Sources", "", "| source | drawings |", "|---|---:|"]
    lines += [f"| {source} | {count} |" for source, count in sheet.sources.items()]
    lines += ["", "## Licences", "", "| licence | drawings |", "|---|---:|"]
    lines += [f"| {licence} | {count} |" for licence, count in sheet.licences.items()]
    lines += ["", "## How the drawings were chosen", "", "```json", _json(dataset.filter), "```"]
    lines += ["", "## Changes since", ""]
    if sheet.history:
        lines += [f"- {change.at.isoformat()}: {change.withdrawn} drawings withdrawn by their contributors; "
                  f"hash `{change.previous_hash}` became `{change.content_hash}`" for change in sheet.history]
    else:
        lines.append("None: the snapshot is as it was made.")
    lines += ["", "Game drawings are anonymous: strokes, timing and device; no personal data. "
              "A contributor who withdraws is taken out of every snapshot.", ""]
    return "\n".join(lines)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
