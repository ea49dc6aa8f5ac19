"""One contract, two adapters: files under a folder, and the S3 API (moto's server)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from crowdsketch.ports.blob import BlobNotFound, BlobStore, FileBlobStore, S3BlobStore
from tests.support.stacks import TEST_BUCKET, create_bucket


def _s3_store(endpoint: str, bucket: str = TEST_BUCKET) -> S3BlobStore:
    return S3BlobStore(
        bucket,
        prefix=None,
        endpoint=endpoint,
        region="us-east-1",
        access_key_id="test",
        secret_access_key="test",
        timeout_s=2.0,
    )


@pytest.fixture(params=["file", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "file":
        # The root exists, as it does once the app has run: FileBlobStore documents a
        # missing root folder as "the store is down", not as an empty store.
        blobs: BlobStore = FileBlobStore(tmp_path)
    else:
        endpoint: str = request.getfixturevalue("s3_endpoint")
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{endpoint}/moto-api/reset")
            response.raise_for_status()
        await create_bucket(endpoint)
        blobs = _s3_store(endpoint)
    try:
        yield blobs
    finally:
        await blobs.close()


async def _keys(store: BlobStore, prefix: str = "") -> list[str]:
    return sorted([key async for key in store.keys(prefix)])


async def test_put_then_get_round_trips(store: BlobStore) -> None:
    data = bytes(range(256)) * 100
    await store.put("drawings/a/1.bin", data)
    assert await store.get("drawings/a/1.bin") == data


async def test_empty_blob_round_trips(store: BlobStore) -> None:
    await store.put("empty", b"")
    assert await store.get("empty") == b""


async def test_put_overwrites(store: BlobStore) -> None:
    await store.put("models/current", b"old bytes, longer than the new ones")
    await store.put("models/current", b"new")
    assert await store.get("models/current") == b"new"


async def test_get_of_a_missing_key_raises_blob_not_found(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        await store.get("drawings/nope")


async def test_delete_removes_and_is_idempotent(store: BlobStore) -> None:
    await store.put("drawings/doomed", b"x")
    await store.delete("drawings/doomed")
    with pytest.raises(BlobNotFound):
        await store.get("drawings/doomed")
    await store.delete("drawings/doomed")
    await store.delete("drawings/never-existed")


async def test_keys_lists_exactly_the_keys_under_a_prefix(store: BlobStore) -> None:
    for key in ["drawings/a", "drawings/b/c", "drawings-other/d", "models/e", "f"]:
        await store.put(key, key.encode())
    assert await _keys(store, "drawings/") == ["drawings/a", "drawings/b/c"]
    assert await _keys(store, "drawings/b/") == ["drawings/b/c"]
    assert await _keys(store, "models/") == ["models/e"]
    assert await _keys(store, "nothing/") == []
    assert await _keys(store) == ["drawings-other/d", "drawings/a", "drawings/b/c", "f", "models/e"]


async def test_keys_drops_deleted_keys(store: BlobStore) -> None:
    await store.put("drawings/a", b"1")
    await store.put("drawings/b", b"2")
    await store.delete("drawings/a")
    assert await _keys(store, "drawings/") == ["drawings/b"]


async def test_entries_list_each_blob_under_a_folder_with_its_size_and_write_time(store: BlobStore) -> None:
    # S3 reports whole seconds, and a file system's clock may be coarser than Python's.
    before = datetime.now(UTC) - timedelta(seconds=2)
    await store.put("drawings/a/1.json", b"12345")
    await store.put("drawings/b/2.json", b"")
    await store.put("models/1/model.onnx", b"onnx")
    after = datetime.now(UTC) + timedelta(seconds=1)
    entries = sorted([entry async for entry in store.entries("drawings/")], key=lambda e: e.key)
    assert [(e.key, e.size) for e in entries] == [("drawings/a/1.json", 5), ("drawings/b/2.json", 0)]
    assert all(before <= e.modified_at <= after for e in entries)
    assert [e.key async for e in store.entries("models/")] == ["models/1/model.onnx"]
    assert sorted([e.key async for e in store.entries()]) == await _keys(store)


async def test_entries_of_a_missing_folder_are_empty(store: BlobStore) -> None:
    await store.put("drawings/a", b"1")
    assert [e async for e in store.entries("models/")] == []


async def test_ping(store: BlobStore) -> None:
    await store.ping()


# FileBlobStore only


@pytest.mark.parametrize("key", ["../x", "a/../../x", "/etc/passwd", ""])
async def test_file_store_rejects_a_key_outside_its_root(tmp_path: Path, key: str) -> None:
    root = tmp_path / "blobs"
    root.mkdir()
    store = FileBlobStore(root)
    with pytest.raises(ValueError):
        await store.put(key, b"escape")
    with pytest.raises(ValueError):
        await store.get(key)
    with pytest.raises(ValueError):
        await store.delete(key)
    assert not (tmp_path / "x").exists()


async def test_file_store_leaves_no_temporary_files(tmp_path: Path) -> None:
    root = tmp_path
    store = FileBlobStore(root)
    for i in range(5):
        await store.put(f"drawings/{i}", b"a" * 1000)
        await store.put(f"drawings/{i}", b"b" * 10)  # overwrite
    await store.put("top", b"t")
    leftovers = [p for p in root.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [*(f"drawings/{i}" for i in range(5)), "top"]


# S3BlobStore only


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_s3_store_with_nothing_listening_raises_a_transient_error() -> None:
    store = _s3_store(f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(store.transient_errors):
        await store.put("drawings/a", b"x")
    with pytest.raises(store.transient_errors):
        await store.get("drawings/a")
