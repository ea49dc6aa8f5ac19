"""Direct uploads' own routes: handing out an upload, and taking its PUT where the blob store
is a folder of this app's (on S3 the browser PUTs to the store itself). The finalize is
`POST /api/drawings {shapeId, uploadId}` (router.py); the rules live in uploads.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from crowdsketch.collection.router import ERROR_RESPONSES, SessionIdHeader, count_submission
from crowdsketch.collection.uploads import (
    CONTENT_TYPE,
    MIN_UPLOAD_BYTES,
    SHA256_PATTERN,
    issue_upload,
    local_upload,
    store_local_upload,
)
from crowdsketch.common.schemas import CamelModel
from crowdsketch.datasets.consent import require_consent
from crowdsketch.deps import CollectionServiceDep, ResourcesDep
from crowdsketch.errors import ValidationError
from crowdsketch.responses import JsonResponse

router = APIRouter(prefix="/api", tags=["collection"])


class UploadCreate(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    shape_id: str = Field(min_length=1, max_length=40)
    size: int = Field(strict=True, ge=MIN_UPLOAD_BYTES, description="The strokeData JSON's length in bytes, "
                      "at most `CROWDSKETCH_MAX_UPLOAD_BYTES`")
    sha256: str = Field(pattern=SHA256_PATTERN, description="The SHA-256 of those bytes, in lowercase hex")


class UploadCreated(CamelModel):
    upload_id: str = Field(description="Names the upload in the finalize, `POST /api/drawings {shapeId, uploadId}`")
    upload_url: str = Field(description="Where to PUT the strokeData JSON: exactly `size` bytes hashing to `sha256`")
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str] = Field(description="Headers the PUT must carry, as given")
    expires_at: datetime = Field(description="Upload and finalize before this (UTC)")
    blob_key: str = Field(description="Where the strokes are kept once the drawing is stored")


UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **{status: ERROR_RESPONSES[status] for status in (403, 429, 503)},
    400: {"description": "Invalid request, or a shape not to be drawn; `DIRECT_UPLOAD_UNAVAILABLE` where the "
                         "server cannot sign an upload (send the drawing inline)"},
}
PUT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not `size` bytes, does not hash to `sha256`, or is not `application/json`"},
    404: {"description": "`UPLOAD_NOT_FOUND`: not an upload URL this server made"},
    410: {"description": "`UPLOAD_EXPIRED`: ask for a new upload"},
    503: ERROR_RESPONSES[503],
}


@router.post(
    "/drawings/uploads", status_code=201, response_model=UploadCreated, responses=UPLOAD_ERRORS,
    dependencies=[Depends(count_submission)],
)
async def create_upload(
    body: UploadCreate,
    request: Request,
    service: CollectionServiceDep,
    resources: ResourcesDep,
    session_id: SessionIdHeader = None,
) -> JsonResponse:
    """Counted like a drawing, and asked of the same consent and shape: an upload is a
    drawing on its way."""
    session_id = session_id or str(uuid.uuid4())
    await require_consent(resources, session_id)
    shape = await service.catalog.active_shape(body.shape_id)
    ticket = issue_upload(
        resources.settings, session_id=session_id, shape_id=shape.id, size=body.size, sha256=body.sha256,
        app_url=lambda upload_id: str(request.url_for("receive_upload", upload_id=upload_id)),
    )
    created = UploadCreated(upload_id=ticket.upload_id, upload_url=ticket.url, headers=ticket.headers,
                            expires_at=ticket.expires_at, blob_key=ticket.blob_key)
    return JsonResponse(created.model_dump(mode="json", by_alias=True), status_code=201,
                        headers={"X-Session-Id": session_id})


@router.put("/drawings/uploads/{upload_id}", response_class=Response, responses=PUT_ERRORS)
async def receive_upload(
    upload_id: str,
    request: Request,
    resources: ResourcesDep,
    shape_id: Annotated[str, Query(alias="shapeId", max_length=40)] = "",
    signature: Annotated[str, Query(max_length=64)] = "",
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
) -> Response:
    """The upload URL on a file blob store: the contract of an S3 pre-signed PUT (the exact
    length and content type, until the expiry), answered as S3 does (200, no body)."""
    grant = local_upload(resources.settings, upload_id=upload_id, shape_id=shape_id, signature=signature)
    if content_type != CONTENT_TYPE:
        raise ValidationError.for_field("headers.Content-Type", f"must be {CONTENT_TYPE}, as the upload's headers say")
    await store_local_upload(resources, grant, await request.body())
    return Response(status_code=200)
