"""Direct uploads' signatures: the upload id's MAC, this app's own PUT URL, and the S3
pre-signed PUT, checked against botocore's (moto checks no signature, so this is the proof)."""

from __future__ import annotations

import base64

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.auth
import pytest
from botocore.config import Config

from crowdsketch.collection import uploads
from crowdsketch.collection.uploads import (
    DirectUploadUnavailable,
    UploadedDrawing,
    UploadExpired,
    UploadGrant,
    UploadNotFound,
    encode_upload_id,
    issue_upload,
    local_upload,
    put_signature,
    verify_upload_id,
)
from crowdsketch.errors import ValidationError
from crowdsketch.ports.blob import FileBlobStore
from crowdsketch.ports.s3_presign import S3Credentials, presigned_put_url
from crowdsketch.resilience import GuardPolicy, Guards
from tests.support.stacks import make_settings

SECRET = "a test secret that is long enough to sign with"
SESSION = "session-one"
SIGNED_AT = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


def _grant(shape_id: str = "circle", expires_at: int = 2_000_000_000) -> UploadGrant:
    return UploadGrant(uuid.uuid4(), shape_id, expires_at, 1234, hashlib.sha256(b"x").hexdigest())


# The upload id


def test_an_upload_id_is_url_safe_and_says_what_it_was_made_with() -> None:
    grant = _grant()
    upload_id = encode_upload_id(SECRET, grant, SESSION)

    assert len(upload_id) == 128 and set(upload_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert verify_upload_id(SECRET, upload_id, session_id=SESSION, shape_id="circle") == grant


@pytest.mark.parametrize(("session_id", "shape_id", "secret"), [
    ("session-two", "circle", SECRET),
    (SESSION, "square", SECRET),
    (SESSION, "circle", "another secret, another server"),
    ("", "circle", SECRET),
])
def test_an_upload_id_is_not_found_for_another_session_shape_or_server(session_id: str, shape_id: str, secret: str) -> None:
    upload_id = encode_upload_id(SECRET, _grant(), SESSION)

    with pytest.raises(UploadNotFound) as caught:
        verify_upload_id(secret, upload_id, session_id=session_id, shape_id=shape_id)
    assert caught.value.status_code == 404 and caught.value.code == "UPLOAD_NOT_FOUND"
    assert caught.value.details == [{"field": "uploadId", "message": "not an upload of this session for this shape"}]


def test_every_changed_character_of_an_upload_id_is_a_forgery() -> None:
    upload_id = encode_upload_id(SECRET, _grant(), SESSION)
    for i, char in enumerate(upload_id):
        forged = upload_id[:i] + ("A" if char != "A" else "B") + upload_id[i + 1:]
        with pytest.raises(UploadNotFound):
            verify_upload_id(SECRET, forged, session_id=SESSION, shape_id="circle")


@pytest.mark.parametrize("malformed", ["", "abc", "A" * 127, "A" * 129, "A" * 127 + "=", "A" * 127 + "+", "A" * 128 + "\n"])
def test_a_malformed_upload_id_is_not_found(malformed: str) -> None:
    with pytest.raises(UploadNotFound):
        verify_upload_id(SECRET, malformed, session_id=SESSION, shape_id="circle")


def test_the_mac_tells_the_shape_from_the_session_where_they_meet() -> None:
    """Length-prefixed parts: ("ab", "c") and ("a", "bc") are two different messages."""
    grant = _grant(shape_id="ab")
    upload_id = encode_upload_id(SECRET, grant, "c")
    with pytest.raises(UploadNotFound):
        verify_upload_id(SECRET, upload_id, session_id="bc", shape_id="a")


# This app's PUT URL


def test_the_put_url_is_the_apps_own_route_with_a_signature_bound_to_the_shape() -> None:
    settings = make_settings(secret_key=SECRET, blob_url="file:///tmp/blobs", upload_expiry_s=300)
    sha256 = hashlib.sha256(b"{}").hexdigest()
    before = datetime.now(UTC)
    ticket = issue_upload(settings, session_id=SESSION, shape_id="circle", size=2, sha256=sha256,
                          app_url=lambda upload_id: f"http://testserver/api/drawings/uploads/{upload_id}")
    after = datetime.now(UTC)

    url = urlsplit(ticket.url)
    upload_id = url.path.rsplit("/", 1)[1]
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert upload_id == ticket.upload_id and query["shapeId"] == "circle"
    grant = local_upload(settings, upload_id=upload_id, shape_id="circle", signature=query["signature"])
    assert (grant.size, grant.sha256, grant.blob_key) == (2, sha256, ticket.blob_key)
    assert ticket.blob_key == f"drawings/circle/{grant.drawing_id}.json"
    assert ticket.headers == {"Content-Type": "application/json"}
    # Expiry times are kept in whole seconds.
    assert before + timedelta(seconds=299) <= ticket.expires_at <= after + timedelta(seconds=301)
    signed = query["signature"]
    # Another first character (the last of 43 carries only 4 bits: 1 in 16 is already "A").
    tampered = ("B" if signed[0] == "A" else "A") + signed[1:]
    for shape_id, signature in (("square", signed), ("circle", tampered), ("circle", ""), ("circle", "é" * 43)):
        with pytest.raises(UploadNotFound):
            local_upload(settings, upload_id=upload_id, shape_id=shape_id, signature=signature)


def test_the_put_url_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(secret_key=SECRET)
    grant = _grant(expires_at=1_000)
    upload_id = encode_upload_id(SECRET, grant, SESSION)
    signature = put_signature(SECRET, upload_id, "circle")

    monkeypatch.setattr(uploads, "_clock", lambda: 1_000.0)
    assert local_upload(settings, upload_id=upload_id, shape_id="circle", signature=signature) == grant
    monkeypatch.setattr(uploads, "_clock", lambda: 1_001.0)
    with pytest.raises(UploadExpired) as caught:
        local_upload(settings, upload_id=upload_id, shape_id="circle", signature=signature)
    assert (caught.value.status_code, caught.value.code) == (410, "UPLOAD_EXPIRED")


@pytest.mark.parametrize("size", [1, 0, 4 * 1024 * 1024 + 1])
def test_a_size_out_of_bounds_is_refused(size: int) -> None:
    settings = make_settings(max_upload_bytes=4 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        issue_upload(settings, session_id=SESSION, shape_id="circle", size=size, sha256="0" * 64, app_url=str)
    assert caught.value.details[0]["field"] == "size"  # type: ignore[index]


# The S3 pre-signed PUT


def _botocore_url(monkeypatch: pytest.MonkeyPatch, endpoint: str | None, region: str, bucket: str, key: str,
                  size: int) -> str:
    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda remove_tzinfo=True: SIGNED_AT.replace(tzinfo=None) if remove_tzinfo else SIGNED_AT)
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    return client.generate_presigned_url(
        "put_object", ExpiresIn=600,
        Params={"Bucket": bucket, "Key": key, "ContentLength": size, "ContentType": "application/json"},
    )


@pytest.mark.parametrize(("endpoint", "region", "key"), [
    ("http://127.0.0.1:9000", "us-east-1", "drawings/circle/8c1e4b1e-8a4f-4f0e-9d51-0f5c1a1d2e3f.json"),
    ("http://localhost:9000/", "eu-west-1", "prefix/drawings/star_2/a b+c~d.json"),
    ("https://minio.example.org", "eu-central-1", "drawings/circle/x.json"),
    ("https://minio.example.org:443", "us-east-1", "drawings/circle/x.json"),
    ("http://minio.example.org:80", "us-east-1", "drawings/circle/x.json"),
    ("https://s3.ap-southeast-2.amazonaws.com", "ap-southeast-2", "drawings/circle/x.json"),
])
def test_the_s3_url_is_the_one_botocore_signs(monkeypatch: pytest.MonkeyPatch, endpoint: str, region: str,
                                              key: str) -> None:
    expected = _botocore_url(monkeypatch, endpoint, region, "crowdsketch", key, 31337)
    ours = presigned_put_url(
        endpoint, "crowdsketch", key,
        credentials=S3Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region),
        content_length=31337, content_type="application/json", expires_s=600, now=SIGNED_AT,
    )

    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in expected
    assert ours == expected


@pytest.mark.parametrize(("overrides", "url_start"), [
    ({"aws_endpoint_url": "http://127.0.0.1:9000"}, "http://127.0.0.1:9000/bucket/drawings/circle/"),
    ({"aws_endpoint_url": "http://minio:9000", "upload_endpoint_url": "https://uploads.example.org"},
     "https://uploads.example.org/bucket/drawings/circle/"),
    ({"aws_region": "eu-west-1"}, "https://s3.eu-west-1.amazonaws.com/bucket/drawings/circle/"),
    ({"blob_url": "s3://bucket/some/prefix/", "aws_endpoint_url": "http://127.0.0.1:9000"},
     "http://127.0.0.1:9000/bucket/some/prefix/drawings/circle/"),
])
def test_the_s3_url_goes_to_the_endpoint_browsers_reach(overrides: dict[str, str], url_start: str) -> None:
    settings = make_settings(**{"blob_url": "s3://bucket", "aws_access_key_id": "AK", "aws_secret_access_key": "SK",
                                "upload_expiry_s": 120, **overrides})
    ticket = issue_upload(settings, session_id=SESSION, shape_id="circle", size=100, sha256="0" * 64, app_url=str)

    assert ticket.url.startswith(url_start), ticket.url
    assert ticket.url.split("?")[0].endswith(f"/{ticket.blob_key}")
    assert "X-Amz-Expires=120&" in ticket.url
    # The announced hash is a signed header: the store refuses any other content.
    assert ticket.headers == {"Content-Type": "application/json", "x-amz-checksum-sha256": base64.b64encode(bytes(32)).decode()}
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-checksum-sha256" in ticket.url


def test_without_s3_keys_there_is_no_direct_upload() -> None:
    settings = make_settings(blob_url="s3://bucket", aws_endpoint_url="http://127.0.0.1:9000")
    with pytest.raises(DirectUploadUnavailable) as caught:
        issue_upload(settings, session_id=SESSION, shape_id="circle", size=100, sha256="0" * 64, app_url=str)
    assert (caught.value.status_code, caught.value.code) == (400, "DIRECT_UPLOAD_UNAVAILABLE")
    assert "inline" in caught.value.message


# What a finalize loads


async def test_load_names_each_stroke_field_as_the_inline_route_does(tmp_path: Path) -> None:
    content = b'{"canvas": {"width": 0, "height": 400}, "strokes": [[[1, 2, "3"]]], "duration_ms": 5, "device": "pen"}'
    grant = UploadGrant(uuid.uuid4(), "circle", 2_000_000_000, len(content), hashlib.sha256(content).hexdigest())
    blobs = FileBlobStore(tmp_path)
    await blobs.put(grant.blob_key, content)
    guard = Guards(GuardPolicy(timeout_s=2.0, attempts=1, backoff_s=0.0, threshold=100, reset_s=1.0)).guard(
        "blob store", blobs.transient_errors)

    with pytest.raises(ValidationError) as caught:
        await UploadedDrawing(grant, blobs, guard).load()

    assert [d["field"] for d in caught.value.details or []] == ["strokeData.canvas.width", "strokeData.strokes[0][0][2]"]
    assert caught.value.message.startswith("strokeData.canvas.width: ")
    assert [key async for key in blobs.keys()] == []  # no row will point at it
