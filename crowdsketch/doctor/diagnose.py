"""Finding what the stores disagree on, changing nothing.

Blobs are listed before rows are read. A submission writes its blob, then its row, so a
blob younger than the grace period may belong to a row being written, and a row younger
than it may have been written after the listing began: both are left out of the verdict.
Model files are written before their row too, and are judged the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from crowdsketch.db.models import TrainingJob
from crowdsketch.doctor.counts import count_findings
from crowdsketch.doctor.inventory import (
    DRAWINGS_PREFIX,
    MODELS_PREFIX,
    ModelRow,
    drawing_pages,
    list_blobs,
    model_rows,
    snapshot_blob_keys,
)
from crowdsketch.doctor.report import Finding, Kind, Report, Scanned

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

DEFAULT_GRACE_S = 600.0
# The worker's sweeper publishes a job left pending this long (training/worker.py,
# SWEEP_INTERVAL_S); one older than that was missed by it, or no worker is running.
PENDING_AFTER_S = 30.0
QUEUED_NOTICE_AFTER_S = 3600.0
# Half the stroke blobs without rows (or half the drawings without strokes), and at least
# this many: not a crash between two writes but a database and a blob store of different
# stacks (a wrong URL or data dir). Repairing that would delete or flag everything.
DISAGREEMENT_MIN = 20


async def diagnose(resources: Resources, grace_s: float = DEFAULT_GRACE_S) -> Report:
    """Every disagreement between the database, the blob store and the training jobs that
    `repair` can fix or that needs an operator."""
    checked_at = datetime.now(UTC)
    cutoff = checked_at - timedelta(seconds=grace_s)
    drawing_blobs = await list_blobs(resources, DRAWINGS_PREFIX)
    model_blobs = await list_blobs(resources, MODELS_PREFIX)
    drawing_findings, drawing_rows = await _drawing_findings(resources, drawing_blobs, cutoff)
    models = await model_rows(resources)
    job_findings, unfinished_jobs = await _job_findings(resources, checked_at)
    findings = [
        *drawing_findings,
        *_orphan_model_blobs(model_blobs, models, cutoff),
        *_models_without_files(model_blobs, models, cutoff),
        *job_findings,
        *await count_findings(resources),
    ]
    scanned = Scanned(drawing_rows, len(drawing_blobs), len(models), len(model_blobs), unfinished_jobs)
    return Report(checked_at, grace_s, scanned, tuple(findings))


async def _drawing_findings(
    resources: Resources, blobs: dict[str, datetime], cutoff: datetime
) -> tuple[list[Finding], int]:
    """Orphan stroke blobs and drawings without strokes, and how many rows were read."""
    referenced: set[str] = await snapshot_blob_keys(resources)
    without_blob: list[Finding] = []
    rows = judged = 0
    async for page in drawing_pages(resources):
        rows += len(page)
        for row in page:
            referenced.add(row.blob_key)
            if row.created_at > cutoff or row.flagged_as_missing:
                continue
            judged += 1
            if row.blob_key not in blobs:
                without_blob.append(Finding(Kind.DRAWING_WITHOUT_BLOB, str(row.id), row.blob_key))
    orphans = [
        Finding(Kind.ORPHAN_DRAWING_BLOB, key, f"written {modified_at.isoformat()}")
        for key, modified_at in sorted(blobs.items())
        if key not in referenced and modified_at <= cutoff
    ]
    findings = [*orphans, *without_blob]
    if _looks_unrelated(len(orphans), len(blobs)) or _looks_unrelated(len(without_blob), judged):
        detail = (
            f"{len(orphans)} of {len(blobs)} stroke blobs have no row and {len(without_blob)} of {judged} "
            "drawings have no strokes: is the database or blob store URL (or the data dir) the right one?"
        )
        findings.append(Finding(Kind.STORES_DISAGREE, DRAWINGS_PREFIX, detail))
    return findings, rows


def _looks_unrelated(bad: int, total: int) -> bool:
    return bad >= DISAGREEMENT_MIN and bad * 2 > total


def _orphan_model_blobs(blobs: dict[str, datetime], models: list[ModelRow], cutoff: datetime) -> list[Finding]:
    return [
        Finding(Kind.ORPHAN_MODEL_BLOB, key, f"written {modified_at.isoformat()}")
        for key, modified_at in sorted(blobs.items())
        if modified_at <= cutoff and not any(model.owns(key) for model in models)
    ]


def _models_without_files(blobs: dict[str, datetime], models: list[ModelRow], cutoff: datetime) -> list[Finding]:
    findings = []
    for model in sorted(models, key=lambda m: m.version):
        missing = [key for key in model.file_keys if key not in blobs]
        if not missing or model.created_at > cutoff:
            continue
        kind = Kind.ACTIVE_MODEL_WITHOUT_FILES if model.active else Kind.MODEL_WITHOUT_FILES
        findings.append(Finding(kind, str(model.id), f"version {model.version}: missing {', '.join(missing)}"))
    return findings


async def _job_findings(resources: Resources, now: datetime) -> tuple[list[Finding], int]:
    """Jobs no worker is getting on with, and how many jobs are unfinished."""
    lapsed = (TrainingJob.status == "running") & or_(
        TrainingJob.lease_expires_at.is_(None), TrainingJob.lease_expires_at < now
    )
    unpublished = (TrainingJob.status == "pending") & (
        TrainingJob.created_at <= now - timedelta(seconds=PENDING_AFTER_S)
    )
    long_queued = (TrainingJob.status == "queued") & (
        func.coalesce(TrainingJob.queued_at, TrainingJob.created_at) <= now - timedelta(seconds=QUEUED_NOTICE_AFTER_S)
    )
    statement = select(TrainingJob).where(or_(lapsed, unpublished, long_queued)).order_by(TrainingJob.created_at)
    unfinished = select(func.count()).select_from(TrainingJob).where(
        TrainingJob.status.in_(("pending", "queued", "running"))
    )
    async with resources.db.request_session() as session:
        jobs = list((await session.execute(statement)).scalars())
        count = (await session.execute(unfinished)).scalar_one()
    findings = []
    for job in jobs:
        if job.status == "running":
            since = job.lease_expires_at or job.heartbeat_at or job.started_at or job.created_at
            detail = f"lease lapsed {_ago(now, since)} ago (worker {job.lease_owner}, attempt {job.attempts})"
            findings.append(Finding(Kind.EXPIRED_RUNNING_JOB, str(job.id), detail))
        elif job.status == "pending":
            detail = f"pending for {_ago(now, job.created_at)}"
            findings.append(Finding(Kind.UNPUBLISHED_PENDING_JOB, str(job.id), detail))
        else:
            detail = f"queued for {_ago(now, job.queued_at or job.created_at)}: is a worker running?"
            findings.append(Finding(Kind.LONG_QUEUED_JOB, str(job.id), detail))
    return findings, count


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
