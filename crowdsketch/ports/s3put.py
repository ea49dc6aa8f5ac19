"""S3 `PutObject` on the event loop: the drawing's blob, the ingest path's one S3 request.

obstore runs each request on its Rust runtime's worker threads and wakes the event loop when
it is done. On the 2-core machine that cost 0.36 ms of CPU a put on those threads
(BENCHMARKS.md, "Ingest", third round): a quarter of the server's CPU a drawing, for a
request that is one write and one read. Here the same request is made on the loop itself:

* plain HTTP/1.1 over a small pool of kept-alive connections to the endpoint (TLS for an
  `https` endpoint), each request written in one write;
* signed with AWS Signature Version 4 over the payload's SHA-256 (`x-amz-content-sha256`),
  path-style (`/bucket/key`), as obstore signs it; the signing key is derived once a day;
* a connection that fails, times out or is cancelled mid-request is closed, never reused;
  a put that finds its kept-alive connection closed by the server before any answer is sent
  once more on a new one (a PUT of the same bytes is idempotent);
* a 5xx answer or a broken connection raises `ConnectionError`, any other non-2xx
  `S3RequestError` (bad credentials, no such bucket). Both are `OSError`s, the blob guard's
  transient errors: a store that refuses every put is down as far as the platform can tell,
  so the caller gets a 503 with `Retry-After`, as with obstore. A 5xx's connection is closed
  too: a server in trouble (or the node behind a balancer) is not asked again on it.

It is used only where the store is given an endpoint and explicit keys (MinIO, a test's
moto server, a configured S3 endpoint); everything else, and every other request, stays with
obstore.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ssl
import time
from urllib.parse import quote, urlparse

MAX_IDLE = 32  # kept-alive connections at most; more at once are opened and closed
MAX_HEAD = 64 * 1024


class S3RequestError(OSError):
    """S3 refused the request (4xx)."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"S3 answered {status}: {body[:300].decode('utf-8', 'replace')}")
        self.status = status


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class SigV4Put:
    def __init__(self, endpoint: str, bucket: str, prefix: str | None, region: str,
                 access_key_id: str, secret_access_key: str) -> None:
        parsed = urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"an S3 endpoint is an http(s) URL, got {endpoint!r}")
        self._host = parsed.hostname
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parsed.scheme == "https" else None
        default_port = (parsed.scheme == "https" and self._port == 443) or (parsed.scheme == "http" and self._port == 80)
        self._host_header = parsed.hostname if default_port else f"{parsed.hostname}:{self._port}"
        base = parsed.path.rstrip("/")
        self._path_head = f"{base}/{bucket}/" + (f"{prefix.strip('/')}/" if prefix and prefix.strip("/") else "")
        self._region = region
        self._access_key_id = access_key_id
        self._secret = secret_access_key
        self._second, self._stamp = -1, ""
        self._signing_day = ""
        self._signing_key = b""
        self._idle: list[_Connection] = []

    async def put(self, key: str, data: bytes) -> None:
        request = self._request(key, data)
        connection, reused = await self._connection()
        try:
            status, body, keep = await self._send(connection, request)
        except _Unanswered:
            if not reused:
                raise
            # The server closed a kept-alive connection before answering: once more, anew.
            connection = await self._open()
            status, body, keep = await self._send(connection, request)
        if keep and status < 500 and len(self._idle) < MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()
        if status >= 500:
            raise ConnectionError(f"S3 answered {status}: {body[:300].decode('utf-8', 'replace')}")
        if not 200 <= status < 300:
            raise S3RequestError(status, body)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- the request ------------------------------------------------------------------------

    def _request(self, key: str, data: bytes) -> bytes:
        amz_date = self._amz_date()
        day = amz_date[:8]
        path = quote(self._path_head + key, safe="/~")
        payload_hash = hashlib.sha256(data).hexdigest()
        canonical = (f"PUT\n{path}\n\nhost:{self._host_header}\nx-amz-content-sha256:{payload_hash}\n"
                     f"x-amz-date:{amz_date}\n\nhost;x-amz-content-sha256;x-amz-date\n{payload_hash}")
        scope = f"{day}/{self._region}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        head = (f"PUT {path} HTTP/1.1\r\nHost: {self._host_header}\r\nContent-Length: {len(data)}\r\n"
                f"x-amz-content-sha256: {payload_hash}\r\nx-amz-date: {amz_date}\r\n"
                f"Authorization: AWS4-HMAC-SHA256 Credential={self._access_key_id}/{scope}, "
                f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}\r\n\r\n")
        return head.encode() + data

    def _amz_date(self) -> str:
        """Now, to the second, as SigV4 writes it (formatted once a second)."""
        second = int(time.time())
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))
        return self._stamp

    def _key(self, day: str) -> bytes:
        if day != self._signing_day:
            key = ("AWS4" + self._secret).encode()
            for part in (day, self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._signing_day, self._signing_key = day, key
        return self._signing_key

    # -- the connection ---------------------------------------------------------------------

    async def _connection(self) -> tuple[_Connection, bool]:
        while self._idle:
            connection = self._idle.pop()
            if not connection.writer.is_closing() and not connection.reader.at_eof():
                return connection, True
            connection.close()
        return await self._open(), False

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port, ssl=self._ssl, limit=MAX_HEAD)
        return _Connection(reader, writer)

    async def _send(self, connection: _Connection, request: bytes) -> tuple[int, bytes, bool]:
        """`_exchange`, closing the connection if it fails, times out or is cancelled (its state
        is then unknown); a broken connection is a `ConnectionError`, `_Unanswered` where not a
        byte of an answer came."""
        try:
            return await self._exchange(connection, request)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            connection.close()
            unanswered = (isinstance(exc, asyncio.IncompleteReadError | ConnectionResetError | BrokenPipeError)
                          and not getattr(exc, "partial", b""))
            raise (_Unanswered if unanswered else ConnectionError)(f"S3 put: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            connection.close()
            raise

    @staticmethod
    async def _exchange(connection: _Connection, request: bytes) -> tuple[int, bytes, bool]:
        """Send the request; the answer's status, body, and whether the connection may be reused."""
        connection.writer.write(request)
        try:
            head = await connection.reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as exc:
            raise ConnectionError("S3 answered a header over 64 KiB") from exc
        lines = head.decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        length: int | None = None
        keep, chunked = version == "HTTP/1.1", False
        try:
            status = int(rest[:3])
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection":
                    keep = value.strip().lower() != "close"
                elif name == "transfer-encoding":
                    chunked = "chunked" in value.lower()
        except ValueError as exc:
            raise ConnectionError(f"S3 answered an unreadable head: {lines[0][:100]!r}") from exc
        try:  # the answer has begun: a break from here on is no reason to send the put again
            if chunked:
                body = await _chunked(connection.reader)
            elif length is not None:
                body = await connection.reader.readexactly(length)
            elif status in (204, 304):
                body = b""
            else:  # no length: the body runs to the end of the connection
                body, keep = await connection.reader.read(), False
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise ConnectionError(f"S3's answer broke off or is unreadable: {type(exc).__name__}: {exc}") from exc
        return status, body, keep


class _Unanswered(ConnectionError):
    """The connection ended before a byte of the answer came."""


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the blank line
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
