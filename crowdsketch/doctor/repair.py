"""Fixing what `diagnose` found. Every finding is checked again against fresh reads before
anything is changed, so a report that has aged (a worker took the job, a row appeared)
leads to no wrong repair: such a finding ends `resolved`.

The rules, and why:

- An orphan stroke or model blob (older than the grace period, still without a row) is
  deleted: nothing points at it, and a submission that failed never answered 201.
- A drawing whose strokes are missing is flagged, not deleted: its row (shape, session,
  quality, idempotency key) is all that is left and the strokes may come back from a backup.
  Flagged, it is out of training and exports by default, and admins see it (filter
  `flagged`, its detail shows `strokeData: null`) and can delete or unflag it. Each flag is
  written to the audit log.
- A model whose files are missing keeps its row: it is the only record of that training,
  and its files may come back from a backup. When it is the active one, inference cannot
  load it, so the newest model whose files are all there is made active instead (audited,
  and announced to inference); with none intact, the bootstrap training is started (seeding
  synthetic drawings first on a stack with none), whose model activates itself.
- A running job whose lease lapsed: ended `cancelled` if an admin had asked for that; ended
  `failed` if it has had all its deliveries (`attempts` >= the queue's `max_deliveries`, as
  the dead-letter reader would); otherwise made `pending` again (lease cleared) and
  published, so a worker takes it. The database queue counts deliveries on the row; on
  RabbitMQ the broker counts them (and redelivers a dead worker's message by itself: a
  second message at most makes the later worker take the job over from the earlier).
- A pending job never published is published (and marked `queued` once the queue has it).
- Kept counts that differ from a recount of the drawings are all recounted (`counts.py`).
- When the database and the blob store look like different stacks (see `diagnose`), no
  blob is deleted and no drawing flagged: that is a configuration to fix, not data to lose.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.db.models import Drawing, ModelVersion, TrainingJob
from crowdsketch.doctor.counts import repair_counts
from crowdsketch.doctor.inventory import (
    DRAWINGS_PREFIX,
    MISSING_STROKES_REASON,
    MODELS_PREFIX,
    drawings_by_id,
    keys_with_rows,
    list_blobs,
    model_rows,
)
from crowdsketch.doctor.report import Finding, Kind, Outcome, RepairAction, RepairResult, Report
from crowdsketch.errors import AppError
from crowdsketch.training.jobs import TrainingJobs

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

# Who the audit log says did it.
DOCTOR_ACTOR = "crowdsketch doctor"
FLAG_BATCH = 200
_BLOB_KINDS = (Kind.ORPHAN_DRAWING_BLOB, Kind.DRAWING_WITHOUT_BLOB, Kind.ORPHAN_MODEL_BLOB)


async def repair(resources: Resources, report: Report) -> RepairResult:
    """Fix every finding of `report` that can be fixed; say what became of each problem."""
    actions: list[RepairAction] = []
    if report.of_kind(Kind.STORES_DISAGREE):
        actions += _refuse_blob_repairs(report)
    else:
        actions += await _delete_orphan_drawing_blobs(resources, report)
        actions += await _flag_drawings_without_blobs(resources, report)
        actions += await _delete_orphan_model_blobs(resources, report)
    actions += await _replace_active_model_without_files(resources, report.of_kind(Kind.ACTIVE_MODEL_WITHOUT_FILES))
    actions += _leave_models_without_files(report)
    jobs = TrainingJobs.from_resources(resources)
    actions += [await _recover_lapsed_job(resources, jobs, f) for f in report.of_kind(Kind.EXPIRED_RUNNING_JOB)]
    actions += [await _publish_pending_job(resources, jobs, f) for f in report.of_kind(Kind.UNPUBLISHED_PENDING_JOB)]
    actions += await repair_counts(resources, report.of_kind(Kind.COUNT_DRIFT))
    result = RepairResult(tuple(actions))
    if result.of_outcome(Outcome.REPAIRED):
        await _audit_summary(resources, result)
    return result


def _refuse_blob_repairs(report: Report) -> list[RepairAction]:
    reason = "refused: the database and the blob store disagree too much (stores_disagree)"
    refused = [RepairAction(f, Outcome.UNREPAIRED, reason) for f in report.findings if f.kind in _BLOB_KINDS]
    needs_operator = "needs an operator: point the database and blob store URLs at the same stack"
    return [*refused, *(RepairAction(f, Outcome.UNREPAIRED, needs_operator) for f in report.of_kind(Kind.STORES_DISAGREE))]


def _leave_models_without_files(report: Report) -> list[RepairAction]:
    actions = []
    for finding in report.of_kind(Kind.MODEL_WITHOUT_FILES):
        actions.append(RepairAction(finding, Outcome.UNREPAIRED, "needs an operator: restore its files from a backup"))
    return actions


async def heal_active_model(resources: Resources) -> RepairAction | None:
    """What `serve` does at start: only the one check that leaves inference with nothing to
    serve (the active model's files missing), repaired as `repair` would. None: all well."""
    models = await model_rows(resources)
    active = next((model for model in models if model.active), None)
    if active is None:
        return None
    blobs = await list_blobs(resources, active.blob_prefix)
    if all(key in blobs for key in active.file_keys):
        return None
    finding = Finding(Kind.ACTIVE_MODEL_WITHOUT_FILES, str(active.id), f"version {active.version}")
    [action] = await _replace_active_model_without_files(resources, [finding])
    return action


async def _replace_active_model_without_files(resources: Resources, findings: list[Finding]) -> list[RepairAction]:
    from crowdsketch.training.bootstrap import start_bootstrap_training
    from crowdsketch.training.registry import announce_active, make_active

    actions = []
    for finding in findings:
        blobs = await list_blobs(resources, MODELS_PREFIX)
        models = sorted(await model_rows(resources), key=lambda m: m.version, reverse=True)
        broken = next((m for m in models if str(m.id) == finding.subject), None)
        if broken is None or not broken.active or all(key in blobs for key in broken.file_keys):
            actions.append(RepairAction(finding, Outcome.RESOLVED, "no longer the case"))
            continue
        intact = next((m for m in models if m.id != broken.id and all(key in blobs for key in m.file_keys)), None)
        if intact is None:
            job = await start_bootstrap_training(resources)
            actions.append(RepairAction(
                finding, Outcome.REPAIRED,
                f"no model has its files: started the first model's training again (job {job.id}), which activates it"))
            continue

        async def switch(session: AsyncSession, chosen: uuid.UUID = intact.id) -> None:
            model = await session.get(ModelVersion, chosen)
            assert model is not None
            await make_active(session, model)
            await record(session, None, DOCTOR_ACTOR, "model.activate", "model", str(chosen),
                         {"reason": "the active model's files are missing", "replaced": finding.subject})

        await resources.db.run(switch)
        await announce_active(resources.kv, resources.kv_guard, intact, resources.events)
        actions.append(RepairAction(
            finding, Outcome.REPAIRED, f"made version {intact.version}, the newest model with its files, active instead"))
    return actions


# Blobs


async def _delete_orphan_drawing_blobs(resources: Resources, report: Report) -> list[RepairAction]:
    findings = report.of_kind(Kind.ORPHAN_DRAWING_BLOB)
    if not findings:
        return []
    blobs = await list_blobs(resources, DRAWINGS_PREFIX)
    referenced = await keys_with_rows(resources, (f.subject for f in findings))
    return await _delete_orphans(resources, findings, blobs, report.grace_s, lambda key: key in referenced)


async def _delete_orphan_model_blobs(resources: Resources, report: Report) -> list[RepairAction]:
    findings = report.of_kind(Kind.ORPHAN_MODEL_BLOB)
    if not findings:
        return []
    blobs = await list_blobs(resources, MODELS_PREFIX)
    models = await model_rows(resources)
    return await _delete_orphans(
        resources, findings, blobs, report.grace_s, lambda key: any(model.owns(key) for model in models)
    )


async def _delete_orphans(
    resources: Resources,
    findings: list[Finding],
    blobs: dict[str, datetime],
    grace_s: float,
    has_row: Callable[[str], bool],
) -> list[RepairAction]:
    # A model's folder can be written again under the same version number: age is re-checked.
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_s)
    actions = []
    for finding in findings:
        key = finding.subject
        if key not in blobs:
            actions.append(RepairAction(finding, Outcome.RESOLVED, "already gone"))
        elif has_row(key):
            actions.append(RepairAction(finding, Outcome.RESOLVED, "a row points at it now"))
        elif blobs[key] > cutoff:
            actions.append(RepairAction(finding, Outcome.RESOLVED, "written again since: left alone"))
        else:
            actions.append(await _delete_blob(resources, finding))
    return actions


async def _delete_blob(resources: Resources, finding: Finding) -> RepairAction:
    try:
        await resources.blob_guard.call(lambda: resources.blobs.delete(finding.subject))
    except AppError as error:
        return RepairAction(finding, Outcome.UNREPAIRED, error.message)
    return RepairAction(finding, Outcome.REPAIRED, "deleted")


# Drawings


async def _flag_drawings_without_blobs(resources: Resources, report: Report) -> list[RepairAction]:
    findings = report.of_kind(Kind.DRAWING_WITHOUT_BLOB)
    if not findings:
        return []
    blobs = await list_blobs(resources, DRAWINGS_PREFIX)
    rows = await drawings_by_id(resources, (uuid.UUID(f.subject) for f in findings))
    actions, to_flag = [], []
    for finding in findings:
        row = rows.get(uuid.UUID(finding.subject))
        if row is None:
            actions.append(RepairAction(finding, Outcome.RESOLVED, "the drawing was deleted since"))
        elif row.blob_key in blobs:
            actions.append(RepairAction(finding, Outcome.RESOLVED, "its strokes are back"))
        elif row.flagged_as_missing:
            actions.append(RepairAction(finding, Outcome.RESOLVED, "already flagged"))
        else:
            to_flag.append(finding)
    for start in range(0, len(to_flag), FLAG_BATCH):
        actions += await _flag_batch(resources, to_flag[start : start + FLAG_BATCH])
    return actions


async def _flag_batch(resources: Resources, findings: list[Finding]) -> list[RepairAction]:
    try:
        async with resources.db.request_session() as session:
            flagged = await _flag(session, [uuid.UUID(f.subject) for f in findings])
    except AppError as error:
        return [RepairAction(f, Outcome.UNREPAIRED, error.message) for f in findings]
    return [
        RepairAction(f, Outcome.REPAIRED, "flagged") if f.subject in flagged
        else RepairAction(f, Outcome.RESOLVED, "the drawing was deleted since")
        for f in findings
    ]


async def _flag(session: AsyncSession, ids: list[uuid.UUID]) -> set[str]:
    flagged = set()
    for drawing in (await session.execute(select(Drawing).where(Drawing.id.in_(ids)))).scalars():
        # An admin's earlier reason is kept after ours, not lost.
        previous = drawing.flag_reason if drawing.flagged else None
        reason = MISSING_STROKES_REASON if previous is None else f"{MISSING_STROKES_REASON}; flagged before: {previous}"
        drawing.flagged, drawing.flag_reason = True, reason[:500]
        details = {"reason": drawing.flag_reason, "previousReason": previous, "blobKey": drawing.blob_key}
        await record(session, None, DOCTOR_ACTOR, "flag", "drawing", str(drawing.id), details)
        flagged.add(str(drawing.id))
    return flagged


# Jobs


async def _read_job(resources: Resources, job_id: uuid.UUID) -> TrainingJob | None:
    async with resources.db.request_session() as session:
        return await session.get(TrainingJob, job_id)


async def _recover_lapsed_job(resources: Resources, jobs: TrainingJobs, finding: Finding) -> RepairAction:
    now = datetime.now(UTC)
    try:
        job = await _read_job(resources, uuid.UUID(finding.subject))
        if job is None or job.status != "running":
            return RepairAction(finding, Outcome.RESOLVED, f"it is {job.status if job else 'gone'} now")
        if job.lease_expires_at is not None and job.lease_expires_at >= now:
            return RepairAction(finding, Outcome.RESOLVED, "a worker holds it again")
        values, done = _lapsed_job_end(job, resources.jobs.max_deliveries, now)
        if not await _settle_lapsed(resources, job, now, values):
            return RepairAction(finding, Outcome.RESOLVED, "a worker took it meanwhile")
        if done:
            return RepairAction(finding, Outcome.REPAIRED, done)
        published = await jobs.publish(job.id)
    except AppError as error:
        return RepairAction(finding, Outcome.UNREPAIRED, error.message)
    if published.status == "pending":
        return RepairAction(finding, Outcome.UNREPAIRED, "made pending, but the queue is unavailable: the sweeper will publish it")
    return RepairAction(finding, Outcome.REPAIRED, "requeued for a worker")


def _lapsed_job_end(job: TrainingJob, max_deliveries: int, now: datetime) -> tuple[dict[str, Any], str]:
    """The new values of a job whose worker is gone, and what they do ("" for back to
    pending: it is published next)."""
    if job.progress.get("cancelRequested"):
        return {"status": "cancelled", "finished_at": now}, "ended cancelled (an admin had asked)"
    if job.attempts >= max_deliveries:
        error = f"worker crashed {job.attempts} times; gave up"
        return {"status": "failed", "finished_at": now, "error": error}, f"ended failed after {job.attempts} deliveries"
    return {"status": "pending"}, ""


async def _settle_lapsed(resources: Resources, job: TrainingJob, now: datetime, values: dict[str, Any]) -> bool:
    """Apply `values` (the lease cleared) only while the job is still running under a
    lapsed lease and no delivery has been counted since: a worker that took it wins."""
    async with resources.db.request_session() as session:
        result = await session.execute(
            update(TrainingJob)
            .where(
                TrainingJob.id == job.id,
                TrainingJob.status == "running",
                TrainingJob.attempts == job.attempts,
                or_(TrainingJob.lease_expires_at.is_(None), TrainingJob.lease_expires_at < now),
            )
            .values(lease_owner=None, lease_expires_at=None, **values)
        )
        return result.rowcount == 1


async def _publish_pending_job(resources: Resources, jobs: TrainingJobs, finding: Finding) -> RepairAction:
    try:
        job = await _read_job(resources, uuid.UUID(finding.subject))
        if job is None or job.status != "pending":
            return RepairAction(finding, Outcome.RESOLVED, f"it is {job.status if job else 'gone'} now")
        published = await jobs.publish(job.id)
    except AppError as error:
        return RepairAction(finding, Outcome.UNREPAIRED, error.message)
    if published.status == "pending":
        return RepairAction(finding, Outcome.UNREPAIRED, "the queue is unavailable: still pending")
    return RepairAction(finding, Outcome.REPAIRED, "published")


async def _audit_summary(resources: Resources, result: RepairResult) -> None:
    def count(outcome: Outcome) -> dict[str, int]:
        return dict(Counter(a.finding.kind.value for a in result.of_outcome(outcome)))

    details = {"repaired": count(Outcome.REPAIRED), "unrepaired": count(Outcome.UNREPAIRED)}
    async with resources.db.request_session() as session:
        await record(session, None, DOCTOR_ACTOR, "doctor.repair", None, None, details)

