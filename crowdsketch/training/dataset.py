"""The training set of a job: which drawings, their rasters, and a snapshot that names them.

Drawings of the job's shapes (active ones only), unflagged unless asked, of quality at least
`minQuality`, of model agreement at least `minAgreement` when set (a drawing no model scored
stays), of crowd consensus at least `minConsensus` and by contributors trusted at least
`minTrust` when set (a drawing nobody judged, or whose contributor is not yet judged,
stays), synthetic ones unless asked not to, and never one that an evaluation set holds
(matched by content hash, whatever its source). The snapshot is the sorted drawing ids and a
SHA-256 over ids and content hashes, recorded with the model. Every drawing also gets
distorted versions for training (`training/distort.py`), and synthetic ones fewer.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.engine import Database
from crowdsketch.db.models import ContributorTrust, Drawing, EvalSetDrawing, Shape, VerificationTask
from crowdsketch.ports.blob import BlobNotFound, BlobStore
from crowdsketch.raster import RasterSpec, rasterize_batch
from crowdsketch.training.distort import training_variants
from crowdsketch.resilience import DependencyGuard

FETCH_CONCURRENCY = 32


class EmptyDatasetError(ValueError):
    pass


@dataclass(frozen=True)
class Dataset:
    images: np.ndarray  # (N, 1, S, S) float32
    labels: np.ndarray  # (N,) int64, indexes into classes
    classes: list[str]
    drawing_ids: list[uuid.UUID]
    content_hash: str
    # Each drawing's contributor (its session; None when unknown), for a validation split
    # that keeps every contributor on one side, and which drawings a program made.
    groups: list[str | None] = field(default_factory=list)
    synthetic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # Distorted versions of the drawings, for training only (training/distort.py):
    # (V, 1, S, S) uint8, and for each the index into `images` of the drawing it varies.
    variants: np.ndarray | None = None
    variant_of: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class _Row:
    id: uuid.UUID
    shape_id: str
    blob_key: str
    content_hash: str
    session_id: str | None
    source: str


async def build_dataset(
    db: Database, blobs: BlobStore, blob_guard: DependencyGuard, config: dict[str, Any], spec: RasterSpec
) -> Dataset:
    rows = await db.run(lambda session: _select_rows(session, config), write=False)
    if not rows:
        raise EmptyDatasetError(
            "no drawings match the job's configuration"
            + ("" if config.get("includeSynthetic", True) else " (synthetic drawings left out: import or collect some)")
        )
    classes = sorted({row.shape_id for row in rows})
    if len(classes) < 2:
        raise EmptyDatasetError(f"a classifier needs at least two shapes with drawings; found {classes}")
    strokes = await _fetch_strokes(blobs, blob_guard, rows)
    kept = [(row, s) for row, s in zip(rows, strokes, strict=True) if s is not None]
    index = {label: i for i, label in enumerate(classes)}
    digest = hashlib.sha256()
    for row, _ in kept:
        digest.update(f"{row.id}:{row.content_hash}\n".encode())
    images = await asyncio.to_thread(rasterize_batch, [s for _, s in kept], spec)
    synthetic = np.array([row.source == "synthetic" for row, _ in kept], dtype=bool)
    seed = int(config.get("seed") or 0)
    variants, variant_of = await asyncio.to_thread(
        training_variants, [s for _, s in kept], synthetic, spec, seed, [row.shape_id for row, _ in kept]
    )
    return Dataset(
        images=images,
        labels=np.array([index[row.shape_id] for row, _ in kept], dtype=np.int64),
        classes=classes,
        drawing_ids=[row.id for row, _ in kept],
        content_hash=digest.hexdigest(),
        groups=[row.session_id for row, _ in kept],
        synthetic=synthetic,
        variants=variants,
        variant_of=variant_of,
    )


async def _select_rows(session: AsyncSession, config: dict[str, Any]) -> list[_Row]:
    active = select(Shape.id).where(Shape.active.is_(True))
    if config.get("shapes"):
        active = active.where(Shape.id.in_(config["shapes"]))
    statement = (
        select(Drawing.id, Drawing.shape_id, Drawing.blob_key, Drawing.content_hash, Drawing.session_id, Drawing.source)
        .where(Drawing.shape_id.in_(active))
        .where(Drawing.quality_score >= float(config.get("minQuality") or 0.0))
        .where(Drawing.content_hash.not_in(select(EvalSetDrawing.content_hash)))
        .order_by(Drawing.id)
    )
    if not config.get("includeFlagged", False):
        statement = statement.where(Drawing.flagged.is_(False))
    if not config.get("includeSynthetic", True):
        statement = statement.where(Drawing.source != "synthetic")
    if config.get("minAgreement") is not None:
        # A drawing no model scored has no agreement: unknown is not disagreement.
        statement = statement.where(
            or_(Drawing.model_agreement.is_(None), Drawing.model_agreement >= float(config["minAgreement"]))
        )
    if config.get("minConsensus") is not None:
        # The verdict on the drawing's current label; a drawing nobody judged stays.
        task = VerificationTask
        statement = statement.where(~exists().where(
            task.drawing_id == Drawing.id, task.shape_id == Drawing.shape_id,
            task.consensus < float(config["minConsensus"]),
        ))
    if config.get("minTrust") is not None:
        statement = statement.where(~exists().where(
            ContributorTrust.session_id == Drawing.session_id, ContributorTrust.trust < float(config["minTrust"])
        ))
    return [_Row(*row) for row in (await session.execute(statement)).all()]


async def _fetch_strokes(blobs: BlobStore, guard: DependencyGuard, rows: list[_Row]) -> list[list | None]:
    limit = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def fetch(row: _Row) -> list | None:
        async with limit:
            try:
                raw = await guard.call(lambda: blobs.get(row.blob_key))
            except BlobNotFound:
                return None  # a drawing deleted while the job ran: left out of the snapshot
        return orjson.loads(raw)["strokes"]

    return await asyncio.gather(*(fetch(row) for row in rows))
