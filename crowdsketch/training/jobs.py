"""Jobs for the workers: started by an admin, carried by the job queue, run by a worker.

Four kinds share the table, the queue and every rule below: `train` (the config is the
recipe), `evaluate` (`{"modelId"}`: score it on every evaluation set again), `label_issues`
(`training/scan.py`) and `aggregate` (`quality/consensus.py`). Each move is told to the
admin event stream (`training/job_events.py`).

A job is `pending` until the queue has it, then `queued`, `running`, and ends `completed`,
`failed` or `cancelled`. The row is committed before the job is published, so a worker
never receives a job it cannot read; a publication that fails leaves the job `pending`,
and `republish_pending` (run periodically) publishes it again: a started job is never lost.
A job whose workers keep dying is given up by the queue after `max_deliveries` attempts,
and `give_up` ends it `failed`.

At most one unfinished job has a given config (its canonical form, `training/canonical.py`):
a partial unique index on `config_hash` (pending, queued and running rows) settles two
starts of the same config at once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.cursor import decode_cursor, encode_cursor
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ModelVersion, TrainingJob
from crowdsketch.evaluation.service import SetScore, save_scores
from crowdsketch.errors import ConflictError, NotFoundError, ServiceUnavailableError
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.ports.queue import JobMessage, JobQueue
from crowdsketch.resilience import DependencyGuard
from crowdsketch.training.canonical import canonical_config, config_hash
from crowdsketch.training.job_events import FINISHED as FINISHED_STATUSES
from crowdsketch.training.job_events import JobEvents, Starter
from crowdsketch.training.registry import activation_refusal, announce_active, make_active
from crowdsketch.training.schemas import EpochProgress, TrainingConfig, TrainingJobPage, TrainingJobRead

if TYPE_CHECKING:
    from crowdsketch.events.bus import EventBus
    from crowdsketch.resources import Resources

ACTIVE_STATUSES = ("pending", "queued", "running")
JOB_KINDS = ("train", "evaluate", "label_issues", "aggregate")

logger = logging.getLogger("crowdsketch.training")


def job_read(job: TrainingJob) -> TrainingJobRead:
    return TrainingJobRead.model_validate(job, from_attributes=True)


# A model's version is max + 1 when inserted; workers finishing together retry (one wins a round).
VERSION_ATTEMPTS = 20


class TrainingJobs:
    def __init__(
        self,
        db: Database,
        queue: JobQueue,
        queue_guard: DependencyGuard,
        kv: KeyValueStore,
        kv_guard: DependencyGuard,
        *,
        lease_s: float,
        publish_timeout_s: float = 5.0,
        activation_floor: float = 0.0,
        events: EventBus | None = None,
    ) -> None:
        self.db = db
        self.queue = queue
        self.queue_guard = queue_guard
        self.kv = kv
        self.kv_guard = kv_guard
        self.lease_s = lease_s
        self.publish_timeout_s = publish_timeout_s
        self.activation_floor = activation_floor
        self.bus, self.events = events, JobEvents(db, events)

    @classmethod
    def from_resources(cls, resources: Resources) -> TrainingJobs:
        return cls(
            resources.db, resources.jobs, resources.jobs_guard, resources.kv, resources.kv_guard,
            lease_s=resources.settings.job_lease_s,
            publish_timeout_s=max(5.0, resources.settings.dependency_timeout_s),
            activation_floor=resources.settings.activation_floor, events=resources.events,
        )

    # The admin's side: a `session` argument is the request's transaction.

    async def start(
        self, starter: Starter, config: TrainingConfig, *, publish: bool = True
    ) -> tuple[TrainingJob, bool]:
        """`find_or_create` in its own transaction, then the new job published (unless
        `publish` is false: the caller runs it itself). True if the job is new."""
        async with self.db.request_session() as session:
            job, created = await self.find_or_create(session, starter, config)
        if created and publish:
            job = await self.publish(job.id)
        return job, created

    async def find_or_create(
        self, session: AsyncSession, starter: Starter, config: TrainingConfig
    ) -> tuple[TrainingJob, bool]:
        """The unfinished job with the same config, or a new `pending` one."""
        canonical = await canonical_config(session, config)
        return await self._find_or_create(session, starter, "train", canonical, config_hash(canonical), "training.start")

    async def start_evaluation(self, starter: Starter, model_id: uuid.UUID) -> tuple[TrainingJob, bool]:
        """An `evaluate` job for the model (404 if there is none), published; or the one
        already unfinished. True if the job is new."""
        async with self.db.request_session() as session:
            if await session.get(ModelVersion, model_id) is None:
                raise NotFoundError(f"No model {model_id}")
        return await self.start_kind(starter, "evaluate", {"modelId": str(model_id)}, "model.evaluate")

    async def start_kind(
        self, starter: Starter | None, kind: str, canonical: dict[str, Any], action: str | None, *, publish: bool = True
    ) -> tuple[TrainingJob, bool]:
        """A job of a kind other than `train`, published; or the unfinished one of the same
        kind and config. `starter` None is the platform itself (not audited). True if new."""
        digest = config_hash({"kind": kind, **canonical})
        async with self.db.request_session() as session:
            job, created = await self._find_or_create(session, starter, kind, canonical, digest, action)
        if created and publish:
            job = await self.publish(job.id)
        return job, created

    async def _find_or_create(
        self, session: AsyncSession, starter: Starter | None, kind: str, canonical: dict[str, Any], digest: str,
        action: str | None,
    ) -> tuple[TrainingJob, bool]:
        existing = await self._unfinished(session, digest)
        if existing is not None:
            return existing, False
        job = TrainingJob(kind=kind, config=canonical, config_hash=digest, status="pending", progress={},
                          created_by=starter.admin_id if starter else None)
        try:
            async with session.begin_nested():
                session.add(job)
                await session.flush()
        except IntegrityError:
            # The same config was started by someone else since we looked, and the unique
            # index let theirs through: theirs is the answer.
            existing = await self._unfinished(session, digest)
            if existing is None:  # not that index after all
                raise
            return existing, False
        if starter is not None and action is not None:
            await record(
                session, starter.admin_id, starter.email, action, "training_job", str(job.id), {"configHash": digest, **(
                    {"modelId": canonical["modelId"]} if kind == "evaluate" else {})}
            )
        return job, True

    async def _unfinished(self, session: AsyncSession, digest: str) -> TrainingJob | None:
        statement = select(TrainingJob).where(
            TrainingJob.config_hash == digest, TrainingJob.status.in_(ACTIVE_STATUSES)
        )
        return (await session.execute(statement)).scalar_one_or_none()

    async def list_jobs(
        self, session: AsyncSession, limit: int, cursor: str | None, status: str | None, kind: str = "train"
    ) -> TrainingJobPage:
        """Newest first; jobs of one kind."""
        statement = (
            select(TrainingJob).where(TrainingJob.kind == kind)
            .order_by(TrainingJob.created_at.desc(), TrainingJob.id.desc()).limit(limit + 1)
        )
        if status:
            statement = statement.where(TrainingJob.status == status)
        if cursor:
            created_at, job_id = decode_cursor(cursor, "cursor")
            statement = statement.where(tuple_(TrainingJob.created_at, TrainingJob.id) < tuple_(created_at, job_id))
        rows = list((await session.execute(statement)).scalars())
        page, more = rows[:limit], len(rows) > limit
        return TrainingJobPage(
            items=[job_read(row) for row in page],
            next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        )

    async def get_job(self, session: AsyncSession, job_id: uuid.UUID) -> TrainingJob:
        job = await session.get(TrainingJob, job_id)
        if job is None:
            raise NotFoundError(f"No training job {job_id}")
        return job

    async def cancel(self, session: AsyncSession, admin: Starter, job_id: uuid.UUID) -> TrainingJob:
        """Not yet taken: cancelled at once. Running: its worker is asked to stop, and
        does so between epochs. Ended: nothing left to cancel."""
        job = (
            await session.execute(select(TrainingJob).where(TrainingJob.id == job_id).with_for_update())
        ).scalar_one_or_none()
        if job is None:
            raise NotFoundError(f"No training job {job_id}")
        if job.status == "cancelled":
            return job
        if job.status in FINISHED_STATUSES:
            raise ConflictError(f"The job has already {job.status}.", details=[{"field": "status", "message": job.status}])
        if job.status == "running":
            job.progress = {**job.progress, "cancelRequested": True}
        else:
            job.status, job.finished_at = "cancelled", datetime.now(UTC)
        await session.flush()
        await record(session, admin.admin_id, admin.email, "training.cancel", "training_job", str(job.id), {"status": job.status})
        return job

    async def publish(self, job_id: uuid.UUID) -> TrainingJob:
        """After the job's row is committed. Marks it `queued` once the queue has it; if the
        queue cannot be reached the job stays `pending` for `republish_pending`. The event
        stream is told first: a worker may take the job the moment the queue has it."""
        await self.events.queued(await self.db.run(lambda session: self.get_job(session, job_id), write=False))
        try:
            async with self.queue_guard.protect(), asyncio.timeout(self.publish_timeout_s):
                await self.queue.publish(JobMessage(job_id))
        except (ServiceUnavailableError, TimeoutError) as exc:
            logger.warning("training job %s left pending: the job queue is unavailable (%s)", job_id, exc)
        else:
            async def mark_queued(session: AsyncSession) -> None:
                await session.execute(
                    update(TrainingJob)
                    .where(TrainingJob.id == job_id, TrainingJob.status == "pending")
                    .values(status="queued", queued_at=datetime.now(UTC))
                )

            await self.db.run(mark_queued)
        return await self.db.run(lambda session: self.get_job(session, job_id), write=False)

    async def republish_pending(self, older_than_s: float) -> int:
        """Publish again every job left `pending` for longer than `older_than_s` (its first
        publication failed). Says how many the queue took."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)

        async def stranded(session: AsyncSession) -> list[uuid.UUID]:
            statement = select(TrainingJob.id).where(TrainingJob.status == "pending", TrainingJob.created_at <= cutoff)
            return list((await session.execute(statement.order_by(TrainingJob.created_at))).scalars())

        published = 0
        for job_id in await self.db.run(stranded, write=False):
            if (await self.publish(job_id)).status != "pending":
                published += 1
        return published

    # The worker's side: each call is its own transaction.

    async def mark_running(self, job_id: uuid.UUID, owner: str) -> TrainingJob | None:
        """Take the job for `owner`; None if it has ended (cancelled before it started, or
        a duplicate delivery of a finished job): acknowledge that delivery and move on."""
        now = datetime.now(UTC)

        async def work(session: AsyncSession) -> TrainingJob | None:
            taken = await session.execute(
                update(TrainingJob)
                .where(TrainingJob.id == job_id, TrainingJob.status.in_(ACTIVE_STATUSES))
                .values(
                    status="running", started_at=now, heartbeat_at=now, lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=self.lease_s),
                )
            )
            return await session.get(TrainingJob, job_id) if taken.rowcount == 1 else None

        job = await self.db.run(work)
        await self.events.started(job)
        return job

    async def heartbeat(self, job_id: uuid.UUID, owner: str) -> bool:
        """Extend the lease. False: the job is no longer this worker's to run."""
        return await self._update_running(job_id, owner, {})

    async def record_progress(self, job_id: uuid.UUID, owner: str, epoch: EpochProgress, epochs: int | None = None) -> bool:
        """Append one epoch's figures (and extend the lease). The row is locked while its
        progress is rewritten: two epochs' writes, or a write and an admin's cancel
        request, would otherwise each overwrite what the other added."""
        async def work(session: AsyncSession) -> bool:
            job = (
                await session.execute(select(TrainingJob).where(TrainingJob.id == job_id).with_for_update())
            ).scalar_one_or_none()
            if job is None or job.status != "running" or job.lease_owner != owner:
                return False
            epochs = [e for e in job.progress.get("epochs", []) if e["epoch"] != epoch.epoch]
            job.progress = {**job.progress, "epochs": [*epochs, epoch.model_dump(by_alias=True)]}
            job.heartbeat_at = datetime.now(UTC)
            job.lease_expires_at = job.heartbeat_at + timedelta(seconds=self.lease_s)
            return True

        recorded = await self.db.run(work)
        if recorded:
            await self.events.epoch(job_id, epochs, epoch)
        return recorded

    async def is_cancel_requested(self, job_id: uuid.UUID) -> bool:
        async def work(session: AsyncSession) -> bool:
            job = await session.get(TrainingJob, job_id)
            return job is None or job.status == "cancelled" or bool(job.progress.get("cancelRequested"))

        return await self.db.run(work, write=False)

    async def complete(
        self, job_id: uuid.UUID, owner: str, model: ModelVersion, scores: Sequence[SetScore] = ()
    ) -> ModelVersion | None:
        """Insert the trained model (its version numbered here) with its scores on the
        evaluation sets, and end the job; activate it if the config asks, or if it is the
        first model of all. None if the job is no longer this worker's."""
        async def work(session: AsyncSession) -> ModelVersion | None:
            job = await session.get(TrainingJob, job_id)
            if job is None or job.status != "running" or job.lease_owner != owner:
                return None
            model.job_id = job_id
            for attempt in range(VERSION_ATTEMPTS):
                latest = (await session.execute(select(func.max(ModelVersion.version)))).scalar_one()
                model.version = (latest or 0) + 1
                try:
                    async with session.begin_nested():
                        session.add(model)
                        await session.flush()
                    break
                except IntegrityError:
                    # Another worker's model took that version since we looked: number again.
                    if attempt == VERSION_ATTEMPTS - 1:
                        raise
            await save_scores(session, model.id, scores, replace=False)
            if job.config.get("activate") or latest is None:
                refusal = await activation_refusal(session, model, scores, self.activation_floor)
                if refusal is None:
                    await make_active(session, model)
                else:
                    logger.info("model v%d not activated: %s", model.version, refusal)
                    job.progress = {**job.progress, "notActivated": refusal}
            job.status, job.model_id, job.finished_at = "completed", model.id, datetime.now(UTC)
            return model

        saved = await self.db.run(work)
        if saved is not None and saved.active:
            await announce_active(self.kv, self.kv_guard, saved, self.bus)
        await self.events.finished(job_id)
        return saved

    async def complete_without_model(self, job_id: uuid.UUID, owner: str, model_id: uuid.UUID | None = None) -> None:
        """End a job that makes no model (an `evaluate` job's scores, a scan's ranking, are
        saved already), while it is this worker's."""
        async def work(session: AsyncSession) -> None:
            await session.execute(
                update(TrainingJob)
                .where(TrainingJob.id == job_id, TrainingJob.status == "running", TrainingJob.lease_owner == owner)
                .values(status="completed", model_id=model_id, finished_at=datetime.now(UTC))
            )

        await self.db.run(work)
        await self.events.finished(job_id)

    async def fail(self, job_id: uuid.UUID, reason: str, owner: str | None = None) -> None:
        """End the job `failed`; with `owner`, only while that worker still holds it."""
        await self._end(job_id, "failed", reason[:2000], owner)

    async def give_up(self, job_id: uuid.UUID, attempts: int) -> None:
        """The queue gave up on the job: every worker that took it died before it ended."""
        await self.fail(job_id, f"worker crashed {attempts} times; gave up")

    async def mark_cancelled(self, job_id: uuid.UUID, owner: str | None = None) -> None:
        """The run stopped at the admin's request. With `owner`, only while that worker still
        holds the job: a worker that lost its lease stops, and leaves the job to the worker
        that took it over."""
        await self._end(job_id, "cancelled", None, owner)

    async def _end(self, job_id: uuid.UUID, status: str, error: str | None, owner: str | None) -> None:
        conditions = [TrainingJob.id == job_id, TrainingJob.status.in_(ACTIVE_STATUSES)]
        if owner is not None:
            conditions.append(TrainingJob.lease_owner == owner)

        async def work(session: AsyncSession) -> None:
            await session.execute(
                update(TrainingJob).where(*conditions).values(status=status, error=error, finished_at=datetime.now(UTC))
            )

        await self.db.run(work)
        await self.events.finished(job_id)

    async def _update_running(self, job_id: uuid.UUID, owner: str, values: dict[str, Any]) -> bool:
        now = datetime.now(UTC)

        async def work(session: AsyncSession) -> bool:
            result = await session.execute(
                update(TrainingJob)
                .where(TrainingJob.id == job_id, TrainingJob.status == "running", TrainingJob.lease_owner == owner)
                .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=self.lease_s), **values)
            )
            return result.rowcount == 1

        return await self.db.run(work)
