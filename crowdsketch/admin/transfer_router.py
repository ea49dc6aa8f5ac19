from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from crowdsketch.admin.deps import CurrentAdmin
from crowdsketch.admin.transfer import TransferService
from crowdsketch.common.line_formats import ExportFormat, lines_from_chunks
from crowdsketch.admin.transfer_schemas import ImportSummary
from crowdsketch.deps import ResourcesDep

router = APIRouter(tags=["admin: export and import"])

NDJSON = "application/x-ndjson"


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "One drawing a line, oldest first"}},
)
async def export_drawings(
    resources: ResourcesDep,
    export_format: Annotated[ExportFormat, Query(alias="format")] = "ndjson",
    shape: Annotated[list[str] | None, Query(description="Only these shapes (repeat the parameter)")] = None,
    include_flagged: Annotated[bool, Query(alias="includeFlagged")] = False,
    source: Annotated[str | None, Query(max_length=16, description="Only drawings from this source")] = None,
) -> StreamingResponse:
    """The drawings as JSON Lines, streamed: `ndjson` (the project's format) or `quickdraw`
    (Quick, Draw!'s raw format)."""
    service = TransferService.from_resources(resources)
    export_filter = await service.export_filter(shape or (), include_flagged, source)
    suffix = "-quickdraw" if export_format == "quickdraw" else ""
    filename = f"crowdsketch-{datetime.now(UTC):%Y%m%d-%H%M%S}{suffix}.ndjson"
    return StreamingResponse(
        service.export_lines(export_filter, export_format),
        media_type=NDJSON,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/import",
    response_model=ImportSummary,
    openapi_extra={
        "requestBody": {"required": True, "content": {NDJSON: {"schema": {"type": "string", "format": "binary"}}}}
    },
    responses={413: {"description": "Body over `max_import_bytes`"}},
)
async def import_drawings(
    request: Request,
    admin: CurrentAdmin,
    resources: ResourcesDep,
    source: Annotated[str, Query(max_length=16, description="The `source` the imported drawings get")] = "import",
) -> ImportSummary:
    """A JSON Lines file as the raw body, in either export format (told apart line by line).
    Valid lines not stored before are imported; the others are reported by line number."""
    service = TransferService.from_resources(resources)
    lines = lines_from_chunks(request.stream(), service.max_line_bytes)
    return await service.import_lines(lines, source=source, actor=admin)
