"""The S3 put made on the event loop (ports/s3put.py), as the blob store uses it: against
moto's server (which checks SigV4 for IAM users' keys once `/moto-api/reset-auth` turns that
on), and against small servers of our own for what moto, answering HTTP/1.0 and closing every
connection, cannot show: keep-alive, dropped connections, odd framings, no answer at all."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import httpx
import obstore
import pytest

from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.ports.blob import S3BlobStore
from crowdsketch.ports.s3put import S3RequestError, SigV4Put
from crowdsketch.resilience import DependencyDown, GuardPolicy, Guards
from tests.support.stacks import TEST_BUCKET, create_bucket
from tests.support.waiting import eventually

TRICKY_KEYS = ["with space", "plus+sign", "per%cent", "ünïcødé/日本語", "tilde~x", "a/b/c/d.bin",
               "q?x#h&y=1;z", "star*(paren)!'", "col:on@at,comma$"]
STORES: list[S3BlobStore] = []


def s3_store(endpoint: str, bucket: str = TEST_BUCKET, *, prefix: str | None = None,
             key_id: str = "test", secret: str = "test", region: str = "us-east-1") -> S3BlobStore:
    store = S3BlobStore(bucket, prefix=prefix, endpoint=endpoint, region=region,
                        access_key_id=key_id, secret_access_key=secret, timeout_s=2.0)
    assert isinstance(store._puts, SigV4Put), "a store with an endpoint and keys puts on the event loop"
    STORES.append(store)
    return store


@pytest.fixture(autouse=True)
async def lean_puts_only(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Every put here must be the event loop's (obstore's fails the test); every store is closed after."""
    async def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("obstore.put_async was used instead of the event-loop put")

    monkeypatch.setattr(obstore, "put_async", refuse)
    yield
    while STORES:
        await STORES.pop().close()


# -- against moto ---------------------------------------------------------------------------


@pytest.fixture
async def moto(s3_endpoint: str) -> AsyncIterator[str]:
    async with httpx.AsyncClient() as client:
        (await client.post(f"{s3_endpoint}/moto-api/reset")).raise_for_status()
    await create_bucket(s3_endpoint)
    yield s3_endpoint


def bucket_keys(endpoint: str, key_id: str = "test", secret: str = "test") -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=key_id, aws_secret_access_key=secret)
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=TEST_BUCKET).get("Contents", []))


# "iam": with moto checking signatures, so each path is signed as S3 reads it.
@pytest.mark.parametrize(("prefix", "keys"), [(None, "test"), ("tenant one/blobs", "test"), ("signed", "iam")],
                         indirect=["keys"])
async def test_tricky_keys_round_trip_under_their_own_name(moto: str, prefix: str | None, keys: tuple[str, str]) -> None:
    key_id, secret = keys
    store = s3_store(moto, prefix=prefix, key_id=key_id, secret=secret)
    for key in TRICKY_KEYS:
        await store.put(key, f"bytes of {key}".encode())
    for key in TRICKY_KEYS:
        assert await store.get(key) == f"bytes of {key}".encode(), key
    assert sorted([key async for key in store.keys()]) == sorted(TRICKY_KEYS)
    head = f"{prefix}/" if prefix else ""
    assert await asyncio.to_thread(bucket_keys, moto, key_id, secret) == sorted(head + key for key in TRICKY_KEYS)


@pytest.mark.parametrize("size", [0, 1, 1024 * 1024 + 7])
async def test_bodies_of_every_size_round_trip_and_overwrite(moto: str, size: int) -> None:
    store = s3_store(moto)
    data = hashlib.sha256(b"seed").digest() * (size // 32 + 2)
    await store.put("drawings/blob", data[:size + 40])
    await store.put("drawings/blob", data[:size])
    assert await store.get("drawings/blob") == data[:size]


async def test_fifty_concurrent_puts_all_land(moto: str) -> None:
    store = s3_store(moto)
    keys = [f"drawings/{n:02d}.bin" for n in range(50)]
    await asyncio.gather(*(store.put(key, key.encode() * 100) for key in keys))
    assert sorted([key async for key in store.keys("drawings/")]) == keys
    assert await asyncio.gather(*(store.get(key) for key in keys)) == [key.encode() * 100 for key in keys]


async def test_a_missing_bucket_is_a_404_s3_request_error_and_an_os_error(moto: str) -> None:
    store = s3_store(moto, bucket="no-such-bucket")
    with pytest.raises(S3RequestError) as info:
        await store.put("k", b"x")
    assert info.value.status == 404 and "NoSuchBucket" in str(info.value) and isinstance(info.value, OSError)


@pytest.fixture
async def keys(request: pytest.FixtureRequest, moto: str) -> AsyncIterator[tuple[str, str]]:
    """The tests' keys; or, for "iam", an IAM user's, and moto checking signatures till the test ends."""
    if request.param == "test":
        yield "test", "test"
        return
    def make_user() -> tuple[str, str]:
        iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        iam.create_user(UserName="writer")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        iam.put_user_policy(UserName="writer", PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="writer")["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    keys = await asyncio.to_thread(make_user)
    async with httpx.AsyncClient() as client:  # the setting is moto's, for the whole process
        answer = (await client.post(f"{moto}/moto-api/reset-auth", content=b"0")).raise_for_status()
        try:
            yield keys
        finally:
            previous = answer.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
            (await client.post(f"{moto}/moto-api/reset-auth", content=previous.encode())).raise_for_status()


@pytest.mark.parametrize("keys", ["iam"], indirect=True)
@pytest.mark.parametrize("wrong", ["secret", "key id"])
async def test_wrong_credentials_are_an_s3_request_error(moto: str, keys: tuple[str, str], wrong: str) -> None:
    key_id, secret = keys
    store = s3_store(moto, key_id="AKIAUNKNOWNKEY000000" if wrong == "key id" else key_id,
                     secret="not the secret" if wrong == "secret" else secret)
    with pytest.raises(S3RequestError) as info:
        await store.put("drawings/forged", b"x")
    assert info.value.status == 403
    assert ("SignatureDoesNotMatch" if wrong == "secret" else "InvalidAccessKeyId") in str(info.value)
    assert await asyncio.to_thread(bucket_keys, moto, key_id, secret) == []


# -- against servers of our own ---------------------------------------------------------------

HANG = "hang"  # an answer: read the request, never answer
Cut = type("Cut", (bytes,), {})  # an answer: these bytes, then the connection closed


@dataclass
class Request:
    connection: int  # which accepted connection, from 1
    index: int  # which request on that connection, from 1
    path: str
    headers: dict[str, str]
    body: bytes


def answer(status: int = 200, body: bytes = b"", *headers: str) -> bytes:
    extra = "".join(f"{header}\r\n" for header in headers)
    unsized = any(h.lower().startswith(("transfer-encoding", "connection: close")) for h in headers)
    length = "" if unsized else f"Content-Length: {len(body)}\r\n"
    return f"HTTP/1.1 {status} X\r\n{length}{extra}\r\n".encode() + body


class FakeS3:
    """An HTTP/1.1 server that keeps connections alive and answers what `respond` says: the
    bytes to send (closing after them where they say `Connection: close` or are a `Cut`),
    None to close without answering, or HANG; it closes a connection idle `idle_close_s`."""

    def __init__(self, respond: Callable[[Request], bytes | str | None] = lambda r: answer(),
                 idle_close_s: float | None = None) -> None:
        self.respond = respond
        self.idle_close_s = idle_close_s
        self.connections = 0
        self.requests: list[Request] = []
        self.closed_by_client: set[int] = set()
        self.closed_idle: set[int] = set()
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> FakeS3:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.endpoint = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in self._writers:
            writer.close()
        if self._handlers:  # each ends as its connection's end reaches it
            await asyncio.wait(self._handlers, timeout=5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number, index = self.connections, 0
        self._writers.append(writer)
        self._handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                try:
                    async with asyncio.timeout(self.idle_close_s if index else None):
                        head = await reader.readuntil(b"\r\n\r\n")
                except TimeoutError:
                    self.closed_idle.add(number)
                    return
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.closed_by_client.add(number)
                    return
                lines = head.decode().split("\r\n")
                headers = {n.strip().lower(): v.strip() for n, _, v in (line.partition(":") for line in lines[1:] if line)}
                index += 1
                request = Request(number, index, lines[0].split(" ")[1], headers,
                                  await reader.readexactly(int(headers["content-length"])))
                self.requests.append(request)
                response = self.respond(request)
                if response is None:
                    return
                if response == HANG:
                    await reader.read()  # until the client closes
                    self.closed_by_client.add(number)
                    return
                writer.write(response)
                await writer.drain()
                if isinstance(response, Cut) or b"connection: close" in response.lower():
                    return
        finally:
            writer.close()


async def test_a_kept_alive_connection_serves_every_put_and_close_closes_it() -> None:
    async with FakeS3() as server:
        store = s3_store(server.endpoint)
        for n in range(5):
            await store.put(f"k{n}", b"x" * n)
        assert server.connections == 1 and len(server.requests) == 5
        assert [r.body for r in server.requests] == [b"x" * n for n in range(5)]
        await store.close()
        await eventually(lambda: server.closed_by_client == {1}, "close() closes the idle connection")


async def test_at_most_32_connections_are_kept_idle() -> None:
    async with FakeS3() as server:
        store = s3_store(server.endpoint)
        await asyncio.gather(*(store.put(f"a{n}", b"x") for n in range(40)))
        assert server.connections == 40
        await eventually(lambda: len(server.closed_by_client) == 8, "the 8 over the pool's size are closed")
        await asyncio.gather(*(store.put(f"b{n}", b"x") for n in range(40)))
        assert server.connections == 48


async def test_the_request_is_signed_as_botocore_signs_it() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    async with FakeS3() as server:
        store = s3_store(server.endpoint, "my-bucket", prefix="/pre fix/", key_id="AKIDEXAMPLE", secret=secret,
                         region="eu-west-3")
        for key in TRICKY_KEYS:
            await store.put(key, key.encode() * 3)
    for key, request in zip(TRICKY_KEYS, server.requests, strict=True):
        assert unquote(request.path) == f"/my-bucket/pre fix/{key}"
        assert request.path == quote(unquote(request.path), safe="/~"), "the path is encoded as SigV4 wants"
        assert request.headers["x-amz-content-sha256"] == hashlib.sha256(request.body).hexdigest()
        assert request.headers["host"] == server.endpoint.removeprefix("http://")
        signed = {name: request.headers[name] for name in ("host", "x-amz-content-sha256", "x-amz-date")}
        same = AWSRequest(method="PUT", url=server.endpoint + request.path, data=request.body, headers=signed)
        same.context["timestamp"] = signed["x-amz-date"]
        auth = S3SigV4Auth(Credentials("AKIDEXAMPLE", secret), "s3", "eu-west-3")
        signature = auth.signature(auth.string_to_sign(same, auth.canonical_request(same)), same)
        assert request.headers["authorization"] == (
            f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{signed['x-amz-date'][:8]}/eu-west-3/s3/aws4_request, "
            f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}")


async def test_a_connection_the_server_closed_while_idle_is_not_used() -> None:
    async with FakeS3(idle_close_s=0.05) as server:
        store = s3_store(server.endpoint)
        await store.put("k1", b"1")
        await eventually(lambda: server.closed_idle == {1}, "the server drops the idle connection")
        await store.put("k2", b"2")
        assert server.connections == 2 and [r.path for r in server.requests] == [f"/{TEST_BUCKET}/k1", f"/{TEST_BUCKET}/k2"]


async def test_a_put_the_server_drops_unanswered_on_a_kept_alive_connection_is_sent_once_more() -> None:
    # The keep-alive race: the server closes the idle connection as the next request goes out.
    async with FakeS3(lambda r: None if (r.connection, r.index) == (1, 2) else answer()) as server:
        store = s3_store(server.endpoint)
        await store.put("k1", b"1")
        await store.put("k2", b"2")
        assert [(r.connection, r.index, r.body) for r in server.requests] == [(1, 1, b"1"), (1, 2, b"2"), (2, 1, b"2")]
        await store.put("k3", b"3")
        assert server.connections == 2, "the new connection is kept"


# What the server does with the second put on the kept-alive connection and with its resend on
# a new one; the requests it then saw: twice at most, once where the server had begun to answer.
@pytest.mark.parametrize(("on_kept", "on_new", "requests"), [
    pytest.param(None, None, 3, id="dropped-then-dropped"),
    pytest.param(None, Cut(b"HTTP/1.1 200 OK\r\nContent-Len"), 3, id="dropped-then-cut-in-head"),
    pytest.param(Cut(b"HTTP/1.1 2"), answer(), 2, id="cut-in-head"),
    pytest.param(Cut(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), answer(), 2, id="cut-in-body"),
])
async def test_a_broken_connection_is_a_connection_error(on_kept: bytes, on_new: bytes, requests: int) -> None:
    async with FakeS3(lambda r: on_new if r.connection > 1 else answer() if r.index == 1 else on_kept) as server:
        store = s3_store(server.endpoint)
        await store.put("k1", b"1")
        with pytest.raises(ConnectionError):
            await store.put("k2", b"2")
        assert len(server.requests) == requests


async def test_a_fresh_connection_closed_unanswered_is_a_connection_error_without_resending() -> None:
    async with FakeS3(lambda r: None) as server:
        with pytest.raises(ConnectionError):
            await s3_store(server.endpoint).put("k", b"x")
        assert len(server.requests) == 1


async def test_a_5xx_is_a_connection_error_and_its_connection_is_not_reused() -> None:
    async with FakeS3(lambda r: answer(503, b"<Error><Code>SlowDown</Code></Error>") if r.connection == 1
                      else answer()) as server:
        store = s3_store(server.endpoint)
        with pytest.raises(ConnectionError, match="503.*SlowDown"):
            await store.put("k", b"x")
        await eventually(lambda: 1 in server.closed_by_client, "the connection is closed")
        await store.put("k", b"x")
        assert server.connections == 2


def framed(status: int, body: bytes, framing: str) -> bytes:
    if framing == "to the close":
        return answer(status, body, "Connection: close")
    chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]))
    return answer(status, chunks + b"0\r\nx-trailer: t\r\n\r\n", "Transfer-Encoding: chunked")


@pytest.mark.parametrize(("framing", "connections"), [("chunked", 1), ("to the close", 2)])
async def test_an_answer_chunked_or_without_length_is_read_whole(framing: str, connections: int) -> None:
    # Had the first answer not been read to its end, the second would be misread.
    async with FakeS3(lambda r: framed(200 if len(server.requests) == 1 else 403, b"<Code>Denied</Code>",
                                       framing)) as server:
        store = s3_store(server.endpoint)
        await store.put("k1", b"1")
        with pytest.raises(S3RequestError, match="<Code>Denied</Code>") as info:
            await store.put("k2", b"2")
        assert info.value.status == 403 and server.connections == connections and len(server.requests) == 2


@pytest.mark.parametrize("garbage", [b"NOT HTTP\r\n\r\n", answer(200, b"zz\r\nxx\r\n0\r\n\r\n", "Transfer-Encoding: chunked"),
                                     b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"],
                         ids=["not-http", "bad-chunk-size", "head-over-64-kib"])
async def test_an_unreadable_answer_is_a_connection_error(garbage: bytes) -> None:
    async with FakeS3(lambda r: garbage) as server:
        with pytest.raises(ConnectionError):
            await s3_store(server.endpoint).put("k", b"x")


@pytest.mark.parametrize("how", ["timeout", "cancel"])
async def test_a_put_timed_out_or_cancelled_closes_its_connection(how: str) -> None:
    async with FakeS3(lambda r: HANG if r.index == 2 else answer()) as server:
        store = s3_store(server.endpoint)
        await store.put("k1", b"1")
        if how == "timeout":
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await store.put("k2", b"2")
        else:
            task = asyncio.create_task(store.put("k2", b"2"))
            await eventually(lambda: len(server.requests) == 2, "the request reaches the server")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        await eventually(lambda: 1 in server.closed_by_client, "the connection is closed")
        await store.put("k3", b"3")
        assert server.connections == 2 and server.requests[-1].connection == 2


def refused_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("endpoint", ["dead", "503"])
async def test_a_refused_port_or_a_5xx_is_through_the_blob_guard_the_dependency_down(endpoint: str) -> None:
    guards = Guards(GuardPolicy(timeout_s=1.0, attempts=2, backoff_s=0.01, threshold=5, reset_s=1.0))
    async with FakeS3(lambda r: answer(503)) as server:
        store = s3_store(refused_endpoint() if endpoint == "dead" else server.endpoint)
        guard = guards.guard("blob store", store.transient_errors)
        with pytest.raises(ServiceUnavailableError) as info:
            await guard.call(lambda: store.put("drawings/k", b"x"))
        assert isinstance(info.value.__cause__, DependencyDown)
        assert isinstance(info.value.__cause__.__cause__, ConnectionError)  # ConnectionRefusedError for "dead"
        assert len(server.requests) == (0 if endpoint == "dead" else 2), "the guard retried once"
