"""The snapshot a training job trains from: the one its config names (`datasetId`), or one
the job freezes for itself from its filters on its first attempt (`job {id}`, implicit). The
job row keeps which, so a retry trains from the same drawings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.datasets.snapshots import DatasetNameTaken, SnapshotItem, SnapshotService
from crowdsketch.db.models import TrainingJob
from crowdsketch.errors import NotFoundError, ValidationError
from crowdsketch.training.dataset import EmptyDatasetError

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

# The training config's filters, as a snapshot's filter keeps them.
FILTER_KEYS = ("shapes", "minQuality", "minAgreement", "minConsensus", "minTrust", "includeSynthetic", "includeFlagged")


@dataclass(frozen=True)
class JobSnapshot:
    id: uuid.UUID
    name: str
    content_hash: str
    items: list[SnapshotItem]


async def job_snapshot(resources: Resources, job: TrainingJob) -> JobSnapshot:
    snapshots = SnapshotService.from_resources(resources)
    dataset_id = job.dataset_id
    if dataset_id is None and job.config.get("datasetId"):
        dataset_id = uuid.UUID(job.config["datasetId"])
    if dataset_id is None:
        dataset_id = await _implicit_snapshot(snapshots, job)
    if job.dataset_id != dataset_id:
        async def remember(session: AsyncSession) -> None:
            await session.execute(update(TrainingJob).where(TrainingJob.id == job.id).values(dataset_id=dataset_id))

        await resources.db.run(remember)
    try:
        dataset = await snapshots.get(dataset_id)
        items = await snapshots.items(dataset_id)
    except NotFoundError:
        raise EmptyDatasetError(f"snapshot {dataset_id} was deleted before the job could train from it") from None
    return JobSnapshot(dataset_id, dataset.name, dataset.content_hash, items)


async def _implicit_snapshot(snapshots: SnapshotService, job: TrainingJob) -> uuid.UUID:
    name = f"job {job.id}"
    existing = await snapshots.find(name)
    if existing is not None:  # made by an earlier attempt that stopped before remembering it
        return existing
    selection = {key: job.config[key] for key in FILTER_KEYS if key in job.config}
    try:
        return (await snapshots.create(name, selection, implicit=True)).id
    except DatasetNameTaken:
        # Another attempt at the same job (a redelivery taken by a second worker) made it a
        # moment ago: the job's snapshot is one, whoever froze it.
        made = await snapshots.find(name)
        if made is None:
            raise
        return made
    except ValidationError:
        raise EmptyDatasetError(
            "no drawings match the job's configuration"
            + ("" if selection.get("includeSynthetic", True) else " (synthetic drawings left out: import or collect some)")
        ) from None
