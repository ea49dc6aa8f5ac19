"""Who starts a job, and what the admin event stream is told as it moves: `job.queued`,
`job.started`, `job.epoch` (one per epoch) and `job.finished` (see `events/bus.py`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from crowdsketch.db.models import TrainingJob

if TYPE_CHECKING:
    from crowdsketch.db.engine import Database
    from crowdsketch.events.bus import EventBus
    from crowdsketch.training.schemas import EpochProgress

FINISHED = ("completed", "failed", "cancelled")


class Starter(Protocol):
    """Who starts a job, for the audit log: an admin's session, or the command line."""

    @property
    def admin_id(self) -> uuid.UUID | None: ...
    @property
    def email(self) -> str: ...


def planned_epochs(job: TrainingJob) -> int | None:
    epochs = job.config.get("epochs")
    return int(epochs) if job.kind in ("train", "label_issues") and epochs is not None else None


class JobEvents:
    def __init__(self, db: Database, bus: EventBus | None) -> None:
        self._db = db
        self._bus = bus

    async def queued(self, job: TrainingJob) -> None:
        """As the job is handed to the queue (before any worker can have it)."""
        if self._bus is not None and job.status in ("pending", "queued"):
            await self._bus.publish("job.queued", {"jobId": str(job.id), "kind": job.kind})

    async def started(self, job: TrainingJob | None) -> None:
        if self._bus is not None and job is not None:
            await self._bus.publish("job.started", {"jobId": str(job.id), "kind": job.kind,
                                                    "epochs": planned_epochs(job)}, job.started_at)

    async def epoch(self, job_id: uuid.UUID, epochs: int | None, progress: EpochProgress) -> None:
        if self._bus is not None:
            await self._bus.publish("job.epoch", {"jobId": str(job_id), "epochs": epochs,
                                                  **progress.model_dump(by_alias=True)})

    async def finished(self, job_id: uuid.UUID) -> None:
        """Told once the job's end is committed (nothing if it has not ended)."""
        if self._bus is None:
            return
        async with self._db.request_session() as session:
            job = (await session.execute(select(TrainingJob).where(TrainingJob.id == job_id))).scalar_one_or_none()
        if job is not None and job.status in FINISHED:
            await self._bus.publish("job.finished", {
                "jobId": str(job.id), "kind": job.kind, "status": job.status,
                "modelId": str(job.model_id) if job.model_id else None, "error": job.error,
            }, job.finished_at)
