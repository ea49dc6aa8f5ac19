from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy
from sqlalchemy.ext.asyncio import create_async_engine

from crowdsketch.app import create_app
from crowdsketch.db.migrate import upgrade
from tests.support.stacks import (
    TEST_BUCKET,
    Stack,
    copy_sqlite_template,
    create_bucket,
    delete_rabbit_queues,
    port_open,
    make_settings,
    patient,
    redis_test_db,
    unique_name,
)
from tests.support.tcp_proxy import TcpProxy

IN_CI = os.environ.get("CI") == "true"
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
AMQP_HOST, AMQP_PORT = "127.0.0.1", 5672
ADMIN_PG_URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def in_thread(fn, *args):  # type: ignore[no-untyped-def]
    """Run blocking set-up (Alembic runs its own event loop) off the test's event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def require(condition: bool, message: str, ci_duty: str = "CI must provide it") -> None:
    """A missing prerequisite: in CI a failure, on a laptop a skip with the reason."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{message} ({ci_duty})")
    pytest.skip(message)


def require_service(name: str, host: str, port: int) -> None:
    require(port_open(host, port), f"{name} is not reachable on {host}:{port}", "CI must start it")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema is built once by the real migrations; each test copies the file."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    in_thread(upgrade, f"sqlite+aiosqlite:///{folder / 'crowdsketch.db'}")
    return folder / "crowdsketch.db"


async def _admin_execute(*statements: str) -> None:
    engine = create_async_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(sqlalchemy.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    name = unique_name("crowdsketch_template")
    in_thread(asyncio.run, _admin_execute(f'CREATE DATABASE "{name}"'))
    in_thread(upgrade, f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}")
    yield name
    in_thread(asyncio.run, _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["embedded", "distributed"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Stack]:
    """`@pytest.mark.settings(name=value, ...)` on a test overrides settings of its stack."""
    marker = request.node.get_closest_marker("settings")
    overrides = dict(marker.kwargs) if marker else {}
    if request.param == "embedded":
        copy_sqlite_template(sqlite_template, tmp_path / "data")
        embedded = Stack("embedded", make_settings(data_dir=tmp_path / "data", **overrides))
        try:
            yield embedded
        finally:
            await embedded.close()
        return

    require_service("Redis", REDIS_HOST, REDIS_PORT)
    require_service("RabbitMQ", AMQP_HOST, AMQP_PORT)
    template = request.getfixturevalue("postgres_template")
    s3 = request.getfixturevalue("s3_endpoint")
    database = unique_name("crowdsketch_test")
    await _admin_execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    import redis.asyncio as aioredis

    redis = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_test_db())
    await redis.flushdb()
    await redis.aclose()
    async with httpx.AsyncClient() as client:
        await client.post(f"{s3}/moto-api/reset")
    await create_bucket(s3)
    s3_host, s3_port = s3.removeprefix("http://").split(":")
    proxies = {
        "database": TcpProxy(PG_HOST, PG_PORT).start(),
        "key-value store": TcpProxy(REDIS_HOST, REDIS_PORT).start(),
        "blob store": TcpProxy(s3_host, int(s3_port)).start(),
        "job queue": TcpProxy(AMQP_HOST, AMQP_PORT).start(),
    }
    training_queue = unique_name("crowdsketch.training.test")
    settings = make_settings(
        data_dir=tmp_path / "data",
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{proxies['database'].port}/{database}",
        redis_url=f"redis://127.0.0.1:{proxies['key-value store'].port}/{redis_test_db()}",
        blob_url=f"s3://{TEST_BUCKET}",
        aws_endpoint_url=f"http://127.0.0.1:{proxies['blob store'].port}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        amqp_url=f"amqp://guest:guest@127.0.0.1:{proxies['job queue'].port}/",
        amqp_training_queue=training_queue,
        **overrides,
    )
    direct = patient(
        settings,
        database_url=f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{database}",
        redis_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_test_db()}",
        aws_endpoint_url=s3,
        amqp_url=f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/",
    )
    distributed = Stack("distributed", settings, proxies, direct=direct)
    try:
        yield distributed
    finally:
        await distributed.close()
        for proxy in proxies.values():
            proxy.stop()
        await delete_rabbit_queues(f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/", training_queue)
        await _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(stack.settings)
    async with app.router.lifespan_context(app):
        stack.resources = app.state.resources
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


ADMIN_EMAIL = "curator@example.org"
ADMIN_PASSWORD = "correct horse battery staple"


async def create_admin(stack: Stack, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    async with stack.stores.db.request_session() as session:
        await stack.stores.auth.create_admin(session, email, "Curator", password)


@pytest.fixture
async def admin_client(client: httpx.AsyncClient, stack: Stack) -> httpx.AsyncClient:
    """The same app, logged in as an admin: the session cookie is kept by the client and the
    CSRF token goes with every request."""
    await create_admin(stack)
    response = await client.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrfToken"]
    return client
