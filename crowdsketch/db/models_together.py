"""Shared canvases: a room's persisted state, and who drew a drawing made together."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, JSON, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from crowdsketch.db.models import Base, UTCDateTime, utcnow


class TogetherRoom(Base):
    """A room of the "Draw together" game. Its CRDT document (a Yjs update holding the whole
    canvas) is written here as people draw, so that the room outlives the process serving it."""

    __tablename__ = "together_rooms"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    prompt_shape_id: Mapped[str] = mapped_column(String(64))
    # [{id, session, name, color}] in joining order: a session that comes back is the same
    # participant, with the same name and ink.
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Stroke id → the participant whose connection created it (the server's record, not the
    # client's word).
    authors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class DrawingContributor(Base):
    """One participant of a drawing made together: who, and which of its strokes."""

    __tablename__ = "drawing_contributors"

    drawing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(40))
    color: Mapped[str] = mapped_column(String(16))
    # Indices into the drawing's strokes, in order.
    strokes: Mapped[list[int]] = mapped_column(JSON, default=list)
