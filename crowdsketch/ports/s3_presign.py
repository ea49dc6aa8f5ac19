"""A pre-signed S3 PUT: a URL that lets whoever holds it (a contributor's browser) write one
object, of one length and one content type, until it expires, with no credentials of its own.

AWS Signature Version 4 in the query string ("presigned URL"), path-style
(`{endpoint}/{bucket}/{key}`, which S3, MinIO and moto all accept). `content-length` and
`content-type` are signed headers, so the store refuses a body of another length or type. With
`checksum_sha256`, `x-amz-checksum-sha256` is signed too: S3 and MinIO then refuse any other
content, so a finalized drawing cannot be overwritten through its URL before the URL expires.
The payload itself is `UNSIGNED-PAYLOAD` (its hash is checked again when it is finalized).

Written here with hashlib and hmac rather than with botocore: signing is a few hashes, and
botocore's client would be a heavy, synchronous dependency of the serving path for them. The
unit tests check each signature against botocore's own `generate_presigned_url`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
SIGNED_HEADERS = "content-length;content-type;host"
CHECKSUM_HEADER = "x-amz-checksum-sha256"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class S3Credentials:
    access_key_id: str
    secret_access_key: str
    region: str


def presigned_put_url(
    endpoint: str,
    bucket: str,
    key: str,
    *,
    credentials: S3Credentials,
    content_length: int,
    content_type: str,
    expires_s: int,
    now: datetime,
    checksum_sha256: str | None = None,
) -> str:
    """The URL for one `PUT` of `key`, valid `expires_s` seconds from `now` (UTC); with
    `checksum_sha256` (base64, as S3 wants it) the PUT must send it as `x-amz-checksum-sha256`."""
    parts = urlsplit(endpoint)
    host = _host(parts)
    signed = SIGNED_HEADERS if checksum_sha256 is None else f"{SIGNED_HEADERS};{CHECKSUM_HEADER}"
    path = quote(f"{parts.path.rstrip('/')}/{bucket}/{key}", safe="/~")
    timestamp = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{timestamp[:8]}/{credentials.region}/s3/aws4_request"
    query = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in sorted({
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{credentials.access_key_id}/{scope}",
        "X-Amz-Date": timestamp,
        "X-Amz-Expires": str(expires_s),
        "X-Amz-SignedHeaders": signed,
    }.items()))
    headers = f"content-length:{content_length}\ncontent-type:{content_type.strip()}\nhost:{host}\n"
    if checksum_sha256 is not None:
        headers += f"{CHECKSUM_HEADER}:{checksum_sha256}\n"
    canonical_request = "\n".join(("PUT", path, query, headers, signed, "UNSIGNED-PAYLOAD"))
    string_to_sign = "\n".join((ALGORITHM, timestamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()))
    signature = hmac.new(_signing_key(credentials, timestamp[:8]), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{parts.scheme}://{parts.netloc}{path}?{query}&X-Amz-Signature={signature}"


def _signing_key(credentials: S3Credentials, day: str) -> bytes:
    key = f"AWS4{credentials.secret_access_key}".encode()
    for part in (day, credentials.region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _host(parts: SplitResult) -> str:
    """The `Host` header a client will send: the endpoint's, without a default port (which
    clients leave out, and the signature must match what they send)."""
    host = parts.netloc.rpartition("@")[2]
    if parts.port is not None and parts.port == _DEFAULT_PORTS.get(parts.scheme):
        host = host[: host.rfind(":")]
    return host


def _encode(value: str) -> str:
    """SigV4's URI encoding: every byte but the unreserved characters, `/` included."""
    return quote(value, safe="-_.~")
