"""Crowd quality for admins: label-issue scans, the review queue, and contributors' trust."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from crowdsketch.admin.deps import CurrentAdmin, SessionDep
from crowdsketch.deps import ResourcesDep
from crowdsketch.quality import issues, review, trust
from crowdsketch.quality.schemas import ContributorPage, LabelIssuePage, ReviewAction, ReviewPage, ReviewResult
from crowdsketch.training.jobs import TrainingJobs, job_read
from crowdsketch.training.scan import start_scan
from crowdsketch.training.schemas import LabelIssueScanConfig, TrainingJobRead

router = APIRouter(tags=["admin: quality"])

DrawingId = Annotated[uuid.UUID, Path(alias="id")]


async def get_jobs(resources: ResourcesDep) -> TrainingJobs:
    return TrainingJobs.from_resources(resources)


TrainingJobsDep = Annotated[TrainingJobs, Depends(get_jobs)]


@router.post(
    "/label-issues/scan", status_code=201, response_model=TrainingJobRead,
    responses={200: {"description": "The same scan is already pending, queued or running: that job"},
               400: {"description": "Invalid config; `details` names each field at fault"}},
)
async def start_label_issue_scan(
    admin: CurrentAdmin, jobs: TrainingJobsDep, response: Response,
    body: Annotated[LabelIssueScanConfig | None, Body()] = None,
) -> TrainingJobRead:
    """Rank the drawings whose label is probably wrong, as a job for the workers (kind
    `label_issues`): out-of-fold probabilities from `folds` models of the training recipe,
    then cleanlab. The ranking is `GET /label-issues` once the job completes."""
    job, created = await start_scan(jobs, admin, body or LabelIssueScanConfig())
    if not created:
        response.status_code = 200
    return job_read(job)


@router.get("/label-issues", response_model=LabelIssuePage)
async def list_label_issues(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> LabelIssuePage:
    """The latest completed scan's ranking, most suspicious first."""
    return await issues.label_issues(session, limit)


@router.get("/review", response_model=ReviewPage)
async def review_queue(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page")] = None,
) -> ReviewPage:
    """Drawings whose label is in doubt (a label-issue scan, the model, the crowd or the
    contributor's trust), most doubtful first, until an admin decides on each."""
    return await review.review_queue(session, limit, cursor)


@router.post(
    "/review/{id}", response_model=ReviewResult,
    responses={400: {"description": "Invalid action; `details` names each field at fault"},
               404: {"description": "No such drawing"}},
)
async def review_drawing(drawing_id: DrawingId, body: ReviewAction, session: SessionDep, admin: CurrentAdmin) -> ReviewResult:
    """Accept the label, flag the drawing, or relabel it (`shapeId`); audited."""
    return await review.decide(session, admin, drawing_id, body)


@router.get("/contributors", response_model=ContributorPage)
async def list_contributors(
    session: SessionDep,
    sort: Annotated[trust.ContributorSort, Query(description="`trust`: least trusted first; `-` for descending")] = "-drawings",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`nextCursor` of the previous page")] = None,
) -> ContributorPage:
    """Every session that drew or voted: drawings, votes and trust (from the last aggregation)."""
    return await trust.list_contributors(session, sort, limit, cursor)
