"""Dataset snapshots, for admins: mounted with the admin routers (session and CSRF)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from crowdsketch.common.identity import CurrentAdmin
from crowdsketch.datasets.export import datasheet_markdown, snapshot_lines
from crowdsketch.datasets.schemas import DatasetCreate, DatasetDetail, DatasetRead
from crowdsketch.datasets.snapshots import SnapshotService
from crowdsketch.deps import ResourcesDep

router = APIRouter(prefix="/datasets", tags=["admin: datasets"])


async def get_snapshots(resources: ResourcesDep) -> SnapshotService:
    return SnapshotService.from_resources(resources)


SnapshotsDep = Annotated[SnapshotService, Depends(get_snapshots)]


@router.post("", status_code=201, response_model=DatasetRead, responses={
    400: {"description": "A bad name or filter, or no drawing matches the filter (field `filter`)"},
    409: {"description": "`DATASET_NAME_TAKEN`"},
})
async def create_dataset(body: DatasetCreate, admin: CurrentAdmin, snapshots: SnapshotsDep) -> DatasetRead:
    """Freeze the drawings the filter chooses now: their labels and strokes stay as they are
    for this snapshot, whatever is relabelled, flagged or deleted afterwards."""
    return await snapshots.create(body.name, body.filter.model_dump(by_alias=True), actor=admin)


@router.get("", response_model=list[DatasetRead])
async def list_datasets(snapshots: SnapshotsDep) -> list[DatasetRead]:
    """Newest first, those training jobs made for themselves (`implicit`) included."""
    return await snapshots.list()


@router.get("/{dataset_id}", response_model=DatasetDetail, responses={404: {"description": "No such snapshot"}})
async def get_dataset(dataset_id: uuid.UUID, snapshots: SnapshotsDep) -> DatasetDetail:
    return await snapshots.get(dataset_id)


@router.get("/{dataset_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}, 404: {"description": "No such snapshot"}})
async def export_dataset(
    dataset_id: uuid.UUID, resources: ResourcesDep, snapshots: SnapshotsDep,
    format: Annotated[Literal["ndjson", "quickdraw"], Query(description="The line format")] = "ndjson",  # noqa: A002
) -> StreamingResponse:
    """The snapshot's drawings as JSON Lines, streamed, each with the label it had when frozen."""
    name = await snapshots.name_of(dataset_id)
    return StreamingResponse(snapshot_lines(resources, dataset_id, format), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{_file_stem(name)}.jsonl"'})


@router.get("/{dataset_id}/datasheet", response_class=PlainTextResponse,
            responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "No such snapshot"}})
async def dataset_datasheet(dataset_id: uuid.UUID, snapshots: SnapshotsDep) -> PlainTextResponse:
    """Counts, sources, licences, the creation filter and the content hash, as Markdown."""
    dataset = await snapshots.get(dataset_id)
    stem = _file_stem(dataset.name)
    return PlainTextResponse(datasheet_markdown(dataset, f"{stem}.jsonl"), media_type="text/markdown",
                             headers={"Content-Disposition": f'attachment; filename="{stem}.datasheet.md"'})


@router.delete("/{dataset_id}", status_code=204, response_class=Response, responses={
    404: {"description": "No such snapshot"},
    409: {"description": "`DATASET_IN_USE`: models were trained on it (delete anyway with `force=true`)"},
})
async def delete_dataset(
    dataset_id: uuid.UUID, admin: CurrentAdmin, snapshots: SnapshotsDep,
    force: Annotated[bool, Query(description="Delete it although models were trained on it")] = False,
) -> Response:
    await snapshots.delete(dataset_id, admin, force=force)
    return Response(status_code=204)


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in name)
