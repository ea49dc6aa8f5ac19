from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from crowdsketch.admin.deps import CurrentAdmin, SessionDep
from crowdsketch.deps import ResourcesDep
from crowdsketch.training import registry
from crowdsketch.training.jobs import TrainingJobs, job_read
from crowdsketch.training.schemas import ModelRead, TrainingConfig, TrainingJobPage, TrainingJobRead

training_router = APIRouter(prefix="/training", tags=["admin: training"])
models_router = APIRouter(tags=["admin: models"])

JobId = Annotated[uuid.UUID, Path(alias="id")]
ModelId = Annotated[uuid.UUID, Path(alias="id")]
JobStatus = Literal["pending", "queued", "running", "completed", "failed", "cancelled"]
JobKind = Literal["train", "evaluate", "label_issues", "aggregate"]


async def get_training_jobs(resources: ResourcesDep) -> TrainingJobs:
    return TrainingJobs.from_resources(resources)


TrainingJobsDep = Annotated[TrainingJobs, Depends(get_training_jobs)]


@training_router.post(
    "/start",
    status_code=201,
    response_model=TrainingJobRead,
    responses={200: {"description": "The same config is already pending, queued or running: that job"}},
)
async def start_training(
    body: TrainingConfig, admin: CurrentAdmin, jobs: TrainingJobsDep, response: Response
) -> TrainingJobRead:
    """Queue a training run. The job is published after its row is committed; if the queue
    is unreachable it is answered `pending` and published again later."""
    job, created = await jobs.start(admin, body)
    if not created:
        response.status_code = 200
    return job_read(job)


@training_router.get("/jobs", response_model=TrainingJobPage)
async def list_training_jobs(
    session: SessionDep,
    jobs: TrainingJobsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page")] = None,
    status: JobStatus | None = None,
    kind: Annotated[JobKind, Query(description="`evaluate`: the re-scoring of models; `label_issues`: scans; "
                                             "`aggregate`: the crowd's verdicts")] = "train",
) -> TrainingJobPage:
    """Newest first."""
    return await jobs.list_jobs(session, limit, cursor, status, kind)


@training_router.get("/jobs/{id}", response_model=TrainingJobRead, responses={404: {"description": "No such job"}})
async def get_training_job(job_id: JobId, session: SessionDep, jobs: TrainingJobsDep) -> TrainingJobRead:
    return job_read(await jobs.get_job(session, job_id))


@training_router.post(
    "/jobs/{id}/cancel",
    response_model=TrainingJobRead,
    responses={404: {"description": "No such job"}, 409: {"description": "The job has already ended"}},
)
async def cancel_training_job(
    job_id: JobId, admin: CurrentAdmin, jobs: TrainingJobsDep, resources: ResourcesDep
) -> TrainingJobRead:
    """A job not yet running is cancelled at once; a running one stops after its epoch."""
    # A unit of work of its own, as the worker's progress writes are: on SQLite both then
    # hold the write lock from read to write, and neither overwrites the other's change to
    # the job's progress (on PostgreSQL the row lock does that).
    job = job_read(await resources.db.run(lambda session: jobs.cancel(session, admin, job_id)))
    await jobs.events.finished(job_id)  # told only if it ended here (a running job ends later)
    return job


@models_router.get("/models", response_model=list[ModelRead])
async def list_models(session: SessionDep) -> list[ModelRead]:
    """Newest version first."""
    return await registry.list_models(session)


@models_router.post("/models/{id}/activate", response_model=ModelRead, responses={404: {"description": "No such model"}})
async def activate_model(
    model_id: ModelId, admin: CurrentAdmin, resources: ResourcesDep
) -> ModelRead:
    """Make this model the one inference answers with; the others are deactivated."""
    async with resources.db.request_session() as session:
        model = await registry.activate(session, admin, model_id)
    await registry.announce_active(resources.kv, resources.kv_guard, model, resources.events)
    return model


@models_router.post(
    "/models/{id}/evaluate",
    status_code=201,
    response_model=TrainingJobRead,
    responses={
        200: {"description": "The model's re-scoring is already pending, queued or running: that job"},
        404: {"description": "No such model"},
    },
)
async def evaluate_model(model_id: ModelId, admin: CurrentAdmin, jobs: TrainingJobsDep, response: Response) -> TrainingJobRead:
    """Score the model on every evaluation set again, as a job for the workers (kind
    `evaluate`); its `evaluations` are replaced when the job completes."""
    job, created = await jobs.start_evaluation(admin, model_id)
    if not created:
        response.status_code = 200
    return job_read(job)


TRAINING_ROUTERS = (training_router, models_router)
