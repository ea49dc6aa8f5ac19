from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crowdsketch.admin.bootstrap import FIRST_ADMIN_EMAIL, ensure_first_admin
from crowdsketch.cli import app
from crowdsketch.db.models import AdminUser
from crowdsketch.resources import Resources
from tests.support.stacks import copy_sqlite_template, make_settings

ENV = {"CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_BCRYPT_ROUNDS": "4", "CROWDSKETCH_LOG_JSON": "false"}


def _admins(data_dir: Path) -> list[AdminUser]:
    async def read() -> list[AdminUser]:
        resources = Resources.build(make_settings(data_dir=data_dir))
        try:
            async with resources.db.request_session() as session:
                return list((await session.execute(select(AdminUser))).scalars())
        finally:
            await resources.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    copy_sqlite_template(sqlite_template, tmp_path / "data")
    return tmp_path / "data"


def test_create_admin_reads_the_password_from_stdin(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["create-admin", "Ada@Example.org", "--name", "Ada", "--password-stdin", "--data-dir", str(data_dir)],
        input="a long enough password\n", env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert "created admin ada@example.org" in result.output
    [admin] = _admins(data_dir)
    assert (admin.email, admin.name) == ("ada@example.org", "Ada")


def test_create_admin_refuses_a_second_admin_with_the_same_email(data_dir: Path) -> None:
    args = ["create-admin", "ada@example.org", "--name", "Ada", "--password-stdin", "--data-dir", str(data_dir)]
    assert CliRunner().invoke(app, args, input="a long enough password\n", env=ENV).exit_code == 0
    again = CliRunner().invoke(app, [*args[:1], "ADA@example.org", *args[2:]], input="another password\n", env=ENV)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert len(_admins(data_dir)) == 1


def test_create_admin_refuses_a_short_password(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["create-admin", "ada@example.org", "--name", "Ada", "--password-stdin", "--data-dir", str(data_dir)],
        input="short\n", env=ENV,
    )
    assert result.exit_code != 0
    assert _admins(data_dir) == []


async def test_the_first_serve_creates_one_admin_and_prints_its_password(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    resources = Resources.build(make_settings(data_dir=data_dir))
    try:
        with caplog.at_level("WARNING", logger="crowdsketch.bootstrap"):
            await ensure_first_admin(resources)
            await ensure_first_admin(resources)
    finally:
        await resources.close()
    [admin] = _admins(data_dir)
    assert admin.email == FIRST_ADMIN_EMAIL
    [record] = [r for r in caplog.records if "password" in r.getMessage()]
    password = record.password  # type: ignore[attr-defined]
    import bcrypt

    assert bcrypt.checkpw(password.encode(), admin.password_hash.encode())
