"""A contributor's own drawings: a copy (`GET /api/contributors/me/export`) and their
withdrawal (`DELETE /api/contributors/me`), for the session that sends `X-Session-Id`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from crowdsketch.admin.transfer import ExportFilter, TransferService
from crowdsketch.common.contributors import SESSION_ID, RequiredSessionIdHeader
from crowdsketch.common.rate_limits import WindowLimits
from crowdsketch.datasets.schemas import WithdrawalRead
from crowdsketch.datasets.withdrawal import withdraw
from crowdsketch.deps import ResourcesDep

router = APIRouter(prefix="/api/contributors", tags=["contributors"])

# Rare requests, each heavy (every drawing of a session): a few an hour are plenty.
WINDOW_S = 3600
PER_SESSION = 10
PER_ADDRESS = 200

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A missing or malformed `X-Session-Id`"},
    429: {"description": "Too many of these requests; retry after `Retry-After` seconds"},
    503: {"description": "A dependency is down; retry after `Retry-After` seconds (asking again finishes the job)"},
}


async def count_request(request: Request, resources: ResourcesDep) -> None:
    session_id = request.headers.get("X-Session-Id")
    address = request.client.host if request.client else "unknown"
    limits = WindowLimits(resources.kv, resources.kv_guard, what="contributor requests", window_s=WINDOW_S,
                          per_session=PER_SESSION, per_address=PER_ADDRESS)
    await limits.count(session_id if session_id and SESSION_ID.match(session_id) else None, address)


@router.get("/me/export", responses={200: {"content": {"application/x-ndjson": {}}}, **ERROR_RESPONSES},
            response_class=StreamingResponse, dependencies=[Depends(count_request)])
async def export_my_drawings(resources: ResourcesDep, session_id: RequiredSessionIdHeader) -> StreamingResponse:
    """Every drawing this session made, as the project's JSON Lines (label, strokes, canvas,
    timing, device, source, created_at), oldest first."""
    transfer = TransferService.from_resources(resources)
    lines = transfer.export_lines(ExportFilter(include_flagged=True, session_id=session_id), "ndjson")
    return StreamingResponse(lines, media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="my-drawings.jsonl"'})


@router.delete("/me", response_model=WithdrawalRead, responses=ERROR_RESPONSES, dependencies=[Depends(count_request)])
async def withdraw_me(resources: ResourcesDep, session_id: RequiredSessionIdHeader) -> WithdrawalRead:
    """Delete every drawing this session made (strokes included), its answers about others'
    drawings and others' answers about its own, and its stats. Asking again is harmless."""
    return await withdraw(resources, session_id)
