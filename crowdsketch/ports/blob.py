"""Blob store port: stroke data and model files, addressed by `/`-separated keys.

Contract: `put` replaces the whole object atomically (a reader sees the old bytes or the new,
never a part); `get` returns the bytes or raises `BlobNotFound`; `delete` of a missing key
is not an error; `entries(prefix)` lists the blobs under a folder prefix (`""` or a path
ending in `/`) with their size and last modification time, and `keys(prefix)` just their
keys. Connection failures raise one of the adapter's `transient_errors`.

The S3 adapter uses obstore: a maintained Rust client (the `object_store` crate used by
Apache Arrow and DataFusion) with a native asyncio API; boto3 is synchronous and aioboto3
layers aiobotocore's heavy request pipeline on top of it. The one request on the ingest
path, a drawing's put, is made on the event loop instead where it can be signed here
(s3put.py): obstore's runtime threads cost more CPU than the request itself.
"""

from __future__ import annotations

import asyncio
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import obstore
import obstore.exceptions
from obstore.store import S3Store

from crowdsketch.ports.s3put import SigV4Put


class BlobNotFound(KeyError):
    pass


@dataclass(frozen=True)
class BlobEntry:
    key: str
    size: int
    # When the blob was last written (the store's clock): how `crowdsketch doctor` tells a
    # blob left behind from one whose row is still being written.
    modified_at: datetime


class BlobStore(Protocol):
    transient_errors: tuple[type[BaseException], ...]

    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    def entries(self, prefix: str = "") -> AsyncIterator[BlobEntry]: ...
    def keys(self, prefix: str = "") -> AsyncIterator[str]: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class FileBlobStore:
    """Files under a root folder; a put writes a temporary file and renames it into place."""

    # FileNotFoundError on get means "no such blob"; any other OSError (disk full, the
    # folder gone or unwritable) means the store is down.
    transient_errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        """The key's file, refused when the key could leave the root. Checked on the key's
        words, not by resolving the path: two `realpath` calls a blob were an eighth of an
        export's time."""
        parts = key.split("/")
        if not key or "\\" in key or "\0" in key or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root.joinpath(*parts)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            if not self.root.is_dir():
                raise OSError(f"blob root {self.root} is missing") from None
            raise BlobNotFound(key) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def entries(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        for entry in await asyncio.to_thread(self._entries, prefix):
            yield entry

    def _entries(self, prefix: str) -> list[BlobEntry]:
        # Walk only the prefix's folder: listing the models must not walk every drawing.
        base = self._path(prefix.rstrip("/")) if prefix.rstrip("/") else self.root
        found = []
        for path in sorted(base.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if not key.startswith(prefix) or path.name.startswith(".tmp-"):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:  # deleted while listing
                continue
            if stat.S_ISREG(info.st_mode):
                found.append(BlobEntry(key, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC)))
        return found

    async def keys(self, prefix: str = "") -> AsyncIterator[str]:
        async for entry in self.entries(prefix):
            yield entry.key

    async def ping(self) -> None:
        def check() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK) or not self.root.is_dir():
                raise OSError(f"blob root {self.root} is not a writable folder")

        await asyncio.to_thread(check)

    async def close(self) -> None:
        return None


class S3BlobStore:
    transient_errors: tuple[type[BaseException], ...] = (
        obstore.exceptions.GenericError,
        obstore.exceptions.JoinError,
        OSError,
    )

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str | None,
        endpoint: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        timeout_s: float,
    ) -> None:
        config: dict[str, object] = {"region": region, "virtual_hosted_style_request": False}
        if endpoint:
            config["endpoint"] = endpoint
        if access_key_id and secret_access_key:
            config["access_key_id"] = access_key_id
            config["secret_access_key"] = secret_access_key
        # The hot path's one request, a drawing's put, is made on the event loop where the
        # store has an endpoint and keys to sign with (s3put.py says why).
        self._puts = (SigV4Put(endpoint, bucket, prefix, region, access_key_id, secret_access_key)
                      if endpoint and access_key_id and secret_access_key else None)
        self._store = S3Store(
            bucket,
            prefix=prefix or None,
            client_options={
                "allow_http": True,
                "timeout": timedelta(seconds=timeout_s),
                "connect_timeout": timedelta(seconds=timeout_s),
            },
            # Retries belong to the guard around this store, not to the client.
            retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=timeout_s)},
            **config,  # type: ignore[arg-type]
        )

    async def put(self, key: str, data: bytes) -> None:
        if self._puts is not None:
            await self._puts.put(key, data)
        else:
            await obstore.put_async(self._store, key, data)

    async def get(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self._store, key)
        except (obstore.exceptions.NotFoundError, FileNotFoundError):
            raise BlobNotFound(key) from None
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, key)
        except (obstore.exceptions.NotFoundError, FileNotFoundError):
            return

    async def entries(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        async for batch in obstore.list(self._store, prefix=prefix or None):
            for meta in batch:
                yield BlobEntry(meta["path"], int(meta["size"]), meta["last_modified"])

    async def keys(self, prefix: str = "") -> AsyncIterator[str]:
        async for entry in self.entries(prefix):
            yield entry.key

    async def ping(self) -> None:
        try:
            await obstore.head_async(self._store, ".crowdsketch-ping")
        except (obstore.exceptions.NotFoundError, FileNotFoundError):
            return

    async def close(self) -> None:
        if self._puts is not None:
            await self._puts.close()


def blob_store_from_url(
    url: str,
    *,
    endpoint: str | None = None,
    region: str = "us-east-1",
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    timeout_s: float = 2.0,
) -> BlobStore:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileBlobStore(Path(parsed.path))
    if parsed.scheme == "s3":
        return S3BlobStore(
            parsed.netloc,
            prefix=parsed.path.strip("/"),
            endpoint=endpoint,
            region=region,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            timeout_s=timeout_s,
        )
    raise ValueError(f"unsupported blob URL {url!r}")
