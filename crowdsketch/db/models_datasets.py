"""Dataset snapshots: the frozen drawings and their items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, JSON, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from crowdsketch.db.models import Base, UTCDateTime, utcnow


class Dataset(Base):
    """A frozen snapshot: the drawings a filter chose at one moment, with their labels then
    and their strokes (kept in the blob store while a snapshot names them). Its content hash
    is the SHA-256 of its sorted `label:content_hash` lines, so the same drawings give the
    same hash wherever they were imported."""

    __tablename__ = "datasets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    drawings: Mapped[int] = mapped_column(Integer)
    per_shape: Mapped[dict[str, int]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Made by a training job for itself (a job given no `datasetId`), not by an admin.
    implicit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Drawings taken out since because their contributor withdrew, and each such change:
    # [{at, withdrawn, previousHash, contentHash}].
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DatasetItem(Base):
    """One drawing of a snapshot as it was: no foreign key to `drawings`, since the row may
    be deleted or relabelled afterwards while the snapshot stays as it was."""

    __tablename__ = "dataset_items"
    __table_args__ = (
        Index("ix_dataset_items_blob_key", "blob_key"),
        Index("ix_dataset_items_session_id", "session_id"),
    )

    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    drawing_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    shape_id: Mapped[str] = mapped_column(String(40))
    blob_key: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    licence: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
