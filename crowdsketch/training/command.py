"""What `crowdsketch train` does, apart from its options and its progress bar: start a job
through the service the admin API uses (so the same config is the same job), then train it
in this process, or follow it while a worker trains it."""

from __future__ import annotations

import asyncio
import getpass
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from crowdsketch.db.models import ModelVersion, TrainingJob
from crowdsketch.ports.queue_adapters import worker_identity
from crowdsketch.resources import Resources
from crowdsketch.training.jobs import FINISHED_STATUSES, TrainingJobs
from crowdsketch.training.schemas import EpochProgress, TrainingConfig
from crowdsketch.training.worker import TrainingWorker

FOLLOW_INTERVAL_S = 0.5
# Following the event stream, the job's row is read again after this long without news.
RECHECK_S = 5.0
# A job no worker has taken after this long probably has no worker to go to.
UNCLAIMED_AFTER_S = 10.0

# Shows one epoch's figures (from the training thread when the job runs here).
ShowEpoch = Callable[[EpochProgress], None]


@dataclass(frozen=True)
class CommandLineStarter:
    """Jobs started from the command line belong to no admin; the audit log names the
    system user instead."""

    email: str
    admin_id: uuid.UUID | None = None

    @classmethod
    def current(cls) -> CommandLineStarter:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no user name in the environment or the passwd file
            user = "unknown user"
        return cls(f"command line ({user})")


async def start(resources: Resources, config: TrainingConfig, *, here: bool) -> tuple[TrainingJob, bool]:
    """The job for `config`, and whether it is new. A new job to be trained `here` is not
    published: no worker will compete for it."""
    jobs = TrainingJobs.from_resources(resources)
    return await jobs.start(CommandLineStarter.current(), config, publish=not here)


async def train_here(resources: Resources, job_id: uuid.UUID, show: ShowEpoch) -> TrainingJob:
    """Train the job in this process, as a worker would (lease, heartbeat, an admin's cancel
    honoured). Interrupted (Ctrl-C), the job ends `cancelled` rather than held by no one."""
    worker = TrainingWorker(resources, owner=f"command line {worker_identity()}")
    try:
        await worker.run_job(job_id, lambda progress: show(EpochProgress(**progress.to_dict())))
    except asyncio.CancelledError:
        await TrainingJobs.from_resources(resources).mark_cancelled(job_id)
        raise
    return await read_job(resources, job_id)


async def follow(
    resources: Resources, job_id: uuid.UUID, show: ShowEpoch, interval_s: float = FOLLOW_INTERVAL_S,
    on_unclaimed: Callable[[], None] | None = None, unclaimed_after_s: float = UNCLAIMED_AFTER_S,
) -> TrainingJob:
    """Follow the job until it ends, showing each epoch; `on_unclaimed` is told once if no
    worker has taken it within `unclaimed_after_s`. Through the admin event stream when it
    can be heard (always on the distributed stack; on the embedded one while a server runs),
    the job's row read again only now and then; otherwise by reading the row."""
    watch = _Watch(resources, job_id, show, on_unclaimed, asyncio.get_running_loop().time() + unclaimed_after_s)
    async with resources.events.subscribe() as events:
        job = await watch.check()
        if events is None:
            while job.status not in FINISHED_STATUSES:
                await asyncio.sleep(interval_s)
                job = await watch.check()
            return job
        stream = aiter(events)
        while job.status not in FINISHED_STATUSES:
            try:
                event = await asyncio.wait_for(anext(stream), RECHECK_S)
            except TimeoutError:  # quiet: an event lost, or a job no worker took
                job = await watch.check()
                continue
            if event["data"].get("jobId") != str(job_id):
                continue
            if event["type"] == "job.epoch":
                watch.shown = EpochProgress.model_validate(event["data"]).model_dump(by_alias=True)
                show(EpochProgress.model_validate(event["data"]))
            elif event["type"] == "job.finished":
                job = await watch.check()
        return job


@dataclass
class _Watch:
    resources: Resources
    job_id: uuid.UUID
    show: ShowEpoch
    on_unclaimed: Callable[[], None] | None
    deadline: float
    shown: dict[str, object] | None = None

    async def check(self) -> TrainingJob:
        """Read the row: the unclaimed warning when due, and an epoch not shown yet."""
        job = await read_job(self.resources, self.job_id)
        if (self.on_unclaimed is not None and job.status in ("pending", "queued")
                and asyncio.get_running_loop().time() > self.deadline):
            self.on_unclaimed()
            self.on_unclaimed = None
        epochs = job.progress.get("epochs", [])
        if epochs and epochs[-1] != self.shown:
            self.shown = epochs[-1]
            self.show(EpochProgress.model_validate(epochs[-1]))
        return job


async def give_up_following(resources: Resources, job_id: uuid.UUID) -> str:
    """Ctrl-C while following a job this command started: a job no worker has taken is
    cancelled (nobody else is waiting for it); a running one is left to its worker. Says
    which, for the user."""
    jobs = TrainingJobs.from_resources(resources)
    job = await read_job(resources, job_id)
    if job.status in ("pending", "queued"):
        await resources.db.run(lambda session: jobs.cancel(session, CommandLineStarter.current(), job_id))
        return f"cancelled job {job_id}: no worker had taken it"
    if job.status == "running":
        return f"job {job_id} goes on in its worker; cancel it on the admin Training page"
    return f"job {job_id} {job.status}"


async def read_job(resources: Resources, job_id: uuid.UUID) -> TrainingJob:
    jobs = TrainingJobs.from_resources(resources)
    return await resources.db.run(lambda session: jobs.get_job(session, job_id), write=False)


async def trained_model(resources: Resources, job: TrainingJob) -> ModelVersion | None:
    if job.model_id is None:
        return None
    model_id = job.model_id
    return await resources.db.run(lambda session: session.get(ModelVersion, model_id), write=False)
