"""The contributor's side of the datasets: the terms and their consent (`GET /api/terms`,
`POST /api/consent`), a copy of their own drawings (`GET /api/contributors/me/export`) and
their withdrawal (`DELETE /api/contributors/me`), for the session that sends `X-Session-Id`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from crowdsketch.common.contributors import SESSION_ID, RequiredSessionIdHeader
from crowdsketch.common.rate_limits import WindowLimits
from crowdsketch.datasets.consent import current_terms, record_consent
from crowdsketch.datasets.export import session_lines
from crowdsketch.datasets.schemas import ConsentCreate, ConsentRead, TermsRead, WithdrawalRead
from crowdsketch.datasets.withdrawal import withdraw
from crowdsketch.deps import ResourcesDep

router = APIRouter(prefix="/api", tags=["contributors"])

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


@router.get("/terms", response_model=TermsRead)
async def terms(resources: ResourcesDep) -> TermsRead:
    """What a contributor agrees to before their first drawing: the licence their drawings
    are published under, what is stored, how to withdraw, and the version to agree to."""
    return current_terms(resources.settings)


@router.post("/consent", response_model=ConsentRead,
             responses={400: {"description": "A missing `X-Session-Id`, or a `termsVersion` that is not the current one"},
                        503: ERROR_RESPONSES[503]})
async def consent(body: ConsentCreate, resources: ResourcesDep, session_id: RequiredSessionIdHeader) -> ConsentRead:
    """Record that this session agreed to the terms of `termsVersion` (the current one)."""
    return await record_consent(resources, session_id, body.terms_version)


@router.get("/contributors/me/export", responses={200: {"content": {"application/x-ndjson": {}}}, **ERROR_RESPONSES},
            response_class=StreamingResponse, dependencies=[Depends(count_request)])
async def export_my_drawings(resources: ResourcesDep, session_id: RequiredSessionIdHeader) -> StreamingResponse:
    """Every drawing this session made, as the project's JSON Lines (label, strokes, canvas,
    timing, device, source, created_at), oldest first."""
    return StreamingResponse(session_lines(resources, session_id), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="my-drawings.jsonl"'})


@router.delete("/contributors/me", response_model=WithdrawalRead, responses=ERROR_RESPONSES,
               dependencies=[Depends(count_request)])
async def withdraw_me(resources: ResourcesDep, session_id: RequiredSessionIdHeader) -> WithdrawalRead:
    """Delete every drawing this session made (strokes included, from every dataset snapshot
    too), its answers about others' drawings and others' answers about its own, its stats and
    its consent. Asking again is harmless."""
    return await withdraw(resources, session_id)
