"""A/B experiments, for admins: mounted with the admin routers (session and CSRF)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.identity import CurrentAdmin
from crowdsketch.db.models import ModelVersion
from crowdsketch.deps import ResourcesDep
from crowdsketch.experiments.schemas import ExperimentCreate, ExperimentRead
from crowdsketch.experiments.service import ExperimentService
from crowdsketch.training import registry

router = APIRouter(prefix="/experiments", tags=["admin: experiments"])

NOT_FOUND = {404: {"description": "No such experiment"}}
ENDED = {409: {"description": "`EXPERIMENT_ENDED`: it was stopped or promoted already"}}


async def get_experiments(resources: ResourcesDep) -> ExperimentService:
    return ExperimentService.from_resources(resources)


ExperimentsDep = Annotated[ExperimentService, Depends(get_experiments)]


@router.post("", status_code=201, response_model=ExperimentRead, responses={
    400: {"description": "A bad body, or a treatment that is unknown or the active model (field `treatmentModelId`)"},
    409: {"description": "`EXPERIMENT_RUNNING`: one runs already"},
})
async def start_experiment(body: ExperimentCreate, admin: CurrentAdmin, experiments: ExperimentsDep) -> ExperimentRead:
    """Try `treatmentModelId` against the active model (the control) on `share` of the
    classify callers; every inference process loads both at once."""
    return await experiments.create(body, admin)


@router.get("", response_model=list[ExperimentRead])
async def list_experiments(experiments: ExperimentsDep) -> list[ExperimentRead]:
    """Newest first, each with its figures and verdict as they stand."""
    return await experiments.list()


@router.get("/{experiment_id}", response_model=ExperimentRead, responses=NOT_FOUND)
async def get_experiment(experiment_id: uuid.UUID, experiments: ExperimentsDep) -> ExperimentRead:
    return await experiments.get(experiment_id)


@router.post("/{experiment_id}/stop", response_model=ExperimentRead, responses={**NOT_FOUND, **ENDED})
async def stop_experiment(experiment_id: uuid.UUID, admin: CurrentAdmin, experiments: ExperimentsDep) -> ExperimentRead:
    """End it; the active model answers everyone again."""
    return await experiments.end(experiment_id, admin, "stopped")


@router.post("/{experiment_id}/promote", response_model=ExperimentRead, responses={**NOT_FOUND, **ENDED})
async def promote_experiment(
    experiment_id: uuid.UUID, admin: CurrentAdmin, experiments: ExperimentsDep, resources: ResourcesDep
) -> ExperimentRead:
    """End it, and make the treatment the active model (audited); every inference process
    switches at once."""
    promoted: list[ModelVersion] = []

    async def activate(session: AsyncSession, treatment: ModelVersion) -> None:
        await registry.make_active(session, treatment)
        promoted.append(treatment)

    answer = await experiments.end(experiment_id, admin, "promoted", then=activate)
    await registry.announce_active(resources.kv, resources.kv_guard, promoted[0], resources.events)
    return answer
