"""Direct uploads: a drawing's strokes go straight to the blob store, and its row follows.

`POST /api/drawings/uploads` hands out an upload: a URL to PUT the strokes to (an S3
pre-signed PUT, or on a file blob store a signed URL on this app) and an `uploadId`.
`POST /api/drawings {shapeId, uploadId}` then finalizes it as an inline submission is
stored, with the uploaded object as the drawing's blob (`pending_upload`, `load`).

Stateless: the `uploadId` is the upload. It carries the new drawing's id, the expiry, the
declared size and SHA-256, and a MAC (HMAC-SHA256 with the secret key) over those and over
the shape and the session, which it does not carry: the finalize names them, and an upload
finalized by another session or for another shape is not found. Nothing is stored until the
PUT, so a client that asks and never uploads costs nothing.

The object lies at the drawing's own blob key (`drawings/{shape}/{id}.json`) from the PUT
on: an upload never finalized is one more orphan stroke blob, which `crowdsketch doctor`
removes after its grace period. That grace (600 s by default) must be no shorter than
`upload_expiry_s` (at most 600 s), since an object may be finalized until its URL expires.

On S3 the URL is signed with the configured keys (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`): a server that reaches the store with ambient credentials (an
instance role) has none to sign with, and answers `DIRECT_UPLOAD_UNAVAILABLE`; the game
then sends the drawing inline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import pydantic

from crowdsketch.errors import AppError, GoneError, NotFoundError, ValidationError
from crowdsketch.ports.blob import BlobNotFound, BlobStore
from crowdsketch.ports.s3_presign import CHECKSUM_HEADER, S3Credentials, presigned_put_url
from crowdsketch.resilience import DependencyGuard
from crowdsketch.strokes import StrokeData, check_stroke_rules

if TYPE_CHECKING:
    from crowdsketch.resources import Resources
    from crowdsketch.settings import Settings

logger = logging.getLogger(__name__)

SHA256_PATTERN = r"^[0-9a-f]{64}$"
MIN_UPLOAD_BYTES = 2  # `{}`, the shortest JSON object
CONTENT_TYPE = "application/json"

# drawing id, expiry (unix seconds), size, SHA-256 digest; then the MAC. 96 bytes in all:
# base64 with neither padding nor spare bits, so that an upload has one spelling only.
_PAYLOAD = struct.Struct(">16sQQ32s")
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{128}")
_PUT_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")
# Each MAC names what it is for, so that no signature made here passes for another kind.
_UPLOAD_ID_PURPOSE = b"crowdsketch upload id v1\x00"
_PUT_URL_PURPOSE = b"crowdsketch upload put v1\x00"

# Where expiries are read from; tests move it.
_clock: Callable[[], float] = time.time


class UploadNotFound(NotFoundError):
    code = "UPLOAD_NOT_FOUND"


class UploadExpired(GoneError):
    code = "UPLOAD_EXPIRED"


class DirectUploadUnavailable(ValidationError):
    code = "DIRECT_UPLOAD_UNAVAILABLE"


@dataclass(frozen=True)
class UploadGrant:
    """What an upload id says, for one shape."""

    drawing_id: uuid.UUID
    shape_id: str
    expires_at: int
    size: int
    sha256: str

    @property
    def blob_key(self) -> str:
        # The layout inline drawings use: the doctor reconciles both alike.
        return f"drawings/{self.shape_id}/{self.drawing_id}.json"

    def check_live(self) -> None:
        if _clock() > self.expires_at:
            expired = datetime.fromtimestamp(self.expires_at, UTC).isoformat()
            raise UploadExpired(f"the upload expired at {expired}: ask for a new one (POST /api/drawings/uploads)",
                                details=[{"field": "uploadId", "message": "expired"}])


@dataclass(frozen=True)
class UploadTicket:
    """An upload handed out: where to PUT what, until when, and how to name it after."""

    upload_id: str
    url: str
    headers: dict[str, str]
    expires_at: datetime
    blob_key: str


def issue_upload(
    settings: Settings, *, session_id: str, shape_id: str, size: int, sha256: str, app_url: Callable[[str], str]
) -> UploadTicket:
    """An upload of `size` bytes hashing to `sha256`, for an active shape and a session that
    may submit. `app_url(upload_id)`: this app's PUT route for it, used on a file blob store."""
    if not MIN_UPLOAD_BYTES <= size <= settings.max_upload_bytes:
        raise ValidationError.for_field("size", f"from {MIN_UPLOAD_BYTES} to {settings.max_upload_bytes} bytes")
    now = int(_clock())
    grant = UploadGrant(uuid.uuid4(), shape_id, now + settings.upload_expiry_s, size, sha256)
    upload_id = encode_upload_id(settings.secret_key, grant, session_id)
    headers = {"Content-Type": CONTENT_TYPE}
    if urlsplit(settings.blob_url).scheme == "s3":
        # The store itself refuses other bytes (a browser's CORS rule on the bucket must allow
        # this header; deploy/README).
        headers[CHECKSUM_HEADER] = base64.b64encode(bytes.fromhex(sha256)).decode()
        url = _s3_put_url(settings, grant, now, headers[CHECKSUM_HEADER])
    else:
        signature = put_signature(settings.secret_key, upload_id, shape_id)
        url = f"{app_url(upload_id)}?{urlencode({'shapeId': shape_id, 'signature': signature})}"
    expires_at = datetime.fromtimestamp(grant.expires_at, UTC)
    return UploadTicket(upload_id, url, headers, expires_at, grant.blob_key)


def _s3_put_url(settings: Settings, grant: UploadGrant, now: int, checksum: str) -> str:
    if not (settings.aws_access_key_id and settings.aws_secret_access_key):
        raise DirectUploadUnavailable(
            "direct uploads are not available here (the server has no S3 keys to sign an upload URL with): "
            "send the drawing inline, POST /api/drawings with its strokeData"
        )
    location = urlsplit(settings.blob_url)
    prefix = location.path.strip("/")
    endpoint = (settings.upload_endpoint_url or settings.aws_endpoint_url
                or f"https://s3.{settings.aws_region}.amazonaws.com")
    return presigned_put_url(
        endpoint, location.netloc, f"{prefix}/{grant.blob_key}" if prefix else grant.blob_key,
        credentials=S3Credentials(settings.aws_access_key_id, settings.aws_secret_access_key, settings.aws_region),
        content_length=grant.size, content_type=CONTENT_TYPE, expires_s=settings.upload_expiry_s,
        now=datetime.fromtimestamp(now, UTC), checksum_sha256=checksum,
    )


# The upload id and the app's own PUT URL


def encode_upload_id(secret: str, grant: UploadGrant, session_id: str) -> str:
    payload = _PAYLOAD.pack(grant.drawing_id.bytes, grant.expires_at, grant.size, bytes.fromhex(grant.sha256))
    return _b64(payload + _mac(secret, _UPLOAD_ID_PURPOSE, grant.shape_id, session_id, payload))


def verify_upload_id(secret: str, upload_id: str, *, session_id: str, shape_id: str) -> UploadGrant:
    """The upload `upload_id` names, if this server made it for this session and shape;
    `UploadNotFound` otherwise. Expiry is not checked here."""
    grant, payload, mac = _decode(upload_id, shape_id)
    if not hmac.compare_digest(mac, _mac(secret, _UPLOAD_ID_PURPOSE, shape_id, session_id, payload)):
        raise _not_found()
    return grant


def put_signature(secret: str, upload_id: str, shape_id: str) -> str:
    """What lets this app's PUT URL write the upload's object: a PUT carries no session, so
    the upload id's own MAC cannot be checked there."""
    return _b64(_mac(secret, _PUT_URL_PURPOSE, shape_id, upload_id.encode()))


def local_upload(settings: Settings, *, upload_id: str, shape_id: str, signature: str) -> UploadGrant:
    """The upload a PUT to this app's URL is for: 404 unless this app signed the URL, 410 once
    it has expired."""
    grant, _, _ = _decode(upload_id, shape_id)
    expected = put_signature(settings.secret_key, upload_id, shape_id)
    if not _PUT_SIGNATURE.fullmatch(signature) or not hmac.compare_digest(signature, expected):
        raise _not_found()
    grant.check_live()
    return grant


async def store_local_upload(resources: Resources, grant: UploadGrant, content: bytes) -> None:
    """Write a PUT's body as the upload's object, if it is what was declared: checked here as
    well as at the finalize, so that a wrong upload is told at once and never stored."""
    _check_content(grant, content, size_field="body")
    await resources.blob_guard.call(lambda: resources.blobs.put(grant.blob_key, content))


def _decode(upload_id: str, shape_id: str) -> tuple[UploadGrant, bytes, bytes]:
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise _not_found()
    raw = base64.urlsafe_b64decode(upload_id)
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    drawing_id, expires_at, size, digest = _PAYLOAD.unpack(payload)
    return UploadGrant(uuid.UUID(bytes=drawing_id), shape_id, expires_at, size, digest.hex()), payload, mac


def _mac(secret: str, purpose: bytes, *parts: str | bytes) -> bytes:
    """HMAC-SHA256 over length-prefixed parts: no two lists of parts make one message."""
    message = bytearray(purpose)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        message += len(data).to_bytes(4, "big") + data
    return hmac.new(secret.encode(), bytes(message), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _not_found() -> UploadNotFound:
    return UploadNotFound(
        "no such upload for this session and shape: ask for one (POST /api/drawings/uploads)",
        details=[{"field": "uploadId", "message": "not an upload of this session for this shape"}],
    )


# The finalize


class UploadedDrawing:
    """An upload a finalize names, its MAC checked: the drawing's id and blob, and what
    arrived there (`load`). Implements the collection service's `PendingUpload`."""

    def __init__(self, grant: UploadGrant, blobs: BlobStore, guard: DependencyGuard) -> None:
        self.drawing_id = grant.drawing_id
        self.blob_key = grant.blob_key
        self.sha256 = grant.sha256
        self.size = grant.size
        self._grant = grant
        self._blobs = blobs
        self._guard = guard

    async def load(self) -> StrokeData:
        """The strokes uploaded, validated as an inline submission's: 410 past the expiry;
        400 when nothing arrived, or something else than declared or no drawing (and then
        the object is deleted: no row will ever point at it)."""
        self._grant.check_live()
        try:
            content = await self._guard.call(lambda: self._blobs.get(self.blob_key))
        except BlobNotFound:
            message = "nothing was uploaded: PUT the strokes to the uploadUrl first"
            raise ValidationError.for_field("uploadId", message) from None
        try:
            return _stroke_data(self._grant, content)
        except ValidationError:
            await self.discard()
            raise

    async def discard(self) -> None:
        """Delete the object; when the store is down, leave it to the reconciler."""
        try:
            await self._guard.call(lambda: self._blobs.delete(self.blob_key))
        except AppError:
            logger.warning("left an upload for the reconciler", extra={"blobKey": self.blob_key})


def pending_upload(resources: Resources, *, session_id: str, shape_id: str, upload_id: str) -> UploadedDrawing:
    """The upload a finalize names: `UploadNotFound` when it is malformed, forged, or another
    session's or shape's. Not its expiry: the replay of a finalize must replay after it."""
    grant = verify_upload_id(resources.settings.secret_key, upload_id, session_id=session_id, shape_id=shape_id)
    return UploadedDrawing(grant, resources.blobs, resources.blob_guard)


def _stroke_data(grant: UploadGrant, content: bytes) -> StrokeData:
    _check_content(grant, content, size_field="size")
    try:
        data = StrokeData.model_validate_json(content)
    except pydantic.ValidationError as exc:
        raise _invalid_strokes(exc.errors()) from None
    check_stroke_rules(data)
    return data


def _check_content(grant: UploadGrant, content: bytes, *, size_field: str) -> None:
    if len(content) != grant.size:
        raise ValidationError.for_field(size_field, f"{len(content)} bytes arrived where {grant.size} were declared")
    if hashlib.sha256(content).hexdigest() != grant.sha256:
        raise ValidationError.for_field("sha256", "what arrived does not hash to the declared SHA-256")


def _invalid_strokes(errors: list[Any]) -> ValidationError:
    """Pydantic's errors as the inline route reports them, each field under `strokeData`."""
    details = []
    for error in errors:
        if error["type"] == "json_invalid":
            details.append({"field": "strokeData", "message": "the upload is not valid JSON"})
            continue
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        details.append({"field": f"strokeData{path}", "message": error["msg"]})
    return ValidationError(f"{details[0]['field']}: {details[0]['message']}", details=details)
