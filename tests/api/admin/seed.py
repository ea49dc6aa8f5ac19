"""Drawings written straight to the stack's database and blob store, for tests that need
many rows or rows with chosen times, scores and sources (the API stamps `now`)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.models import ContributorSession, Drawing
from crowdsketch.strokes import StrokeData
from tests.support.drawings import stroke_data
from tests.support.stacks import Stack

STROKES = StrokeData.model_validate(stroke_data())
BLOB = STROKES.canonical_json()


def drawing_row(**values: Any) -> dict[str, Any]:
    """A complete `drawings` row; any column can be given."""
    drawing_id = values.pop("id", None) or uuid.uuid4()
    shape_id = values.get("shape_id", "circle")
    row: dict[str, Any] = {
        "id": drawing_id,
        "session_id": None,
        "shape_id": shape_id,
        "blob_key": f"drawings/{shape_id}/{drawing_id}.json",
        "canvas_width": STROKES.canvas.width,
        "canvas_height": STROKES.canvas.height,
        "stroke_count": len(STROKES.strokes),
        "point_count": STROKES.point_count,
        "duration_ms": STROKES.duration_ms,
        "device": "mouse",
        "quality_score": 0.5,
        "source": "game",
        "flagged": False,
        "flag_reason": None,
        "content_hash": uuid.uuid4().hex + uuid.uuid4().hex,
        "idempotency_key": None,
        "created_at": datetime.now(UTC),
    }
    row.update(values)
    return row


async def insert_drawings(stack: Stack, rows: list[dict[str, Any]], *, blobs: bool = True) -> list[dict[str, Any]]:
    """Insert the rows (and the contributor sessions they name) in one transaction, then put
    a blob for each row unless `blobs` is false."""
    resources = stack.stores
    session_ids = {row["session_id"] for row in rows if row["session_id"]}

    async def write(session: AsyncSession) -> None:
        existing = set((await session.execute(select(ContributorSession.id))).scalars())
        now = datetime.now(UTC)
        new_sessions = [
            {"id": sid, "created_at": now, "last_seen_at": now, "drawing_count": 0, "today": now.date(), "today_count": 0}
            for sid in sorted(session_ids - existing)
        ]
        if new_sessions:
            await session.execute(insert(ContributorSession), new_sessions)
        await session.execute(insert(Drawing), rows)

    await resources.db.run(write)
    if blobs:
        limit = asyncio.Semaphore(16)

        async def put(key: str) -> None:
            async with limit:
                await resources.blobs.put(key, BLOB)

        await asyncio.gather(*(put(row["blob_key"]) for row in rows))
    return rows


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [str(row["id"]) for row in rows]
