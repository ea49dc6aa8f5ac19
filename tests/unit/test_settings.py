"""Settings: embedded defaults, the checks that refuse a bad configuration at start-up, and
the environment variables read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest

from crowdsketch.settings import DEVELOPMENT_SECRET, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No CROWDSKETCH_* or AWS_* variable from the machine leaks into a test, and a relative
    data dir resolves inside the test's own folder."""
    for name in list(os.environ):
        if name.startswith(("CROWDSKETCH_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def _refused(message: str, **values: object) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Settings(**values)  # type: ignore[arg-type]
    assert message in str(caught.value)


# -- embedded defaults --------------------------------------------------------------------


def test_embedded_defaults_live_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'crowdsketch.db'}"
    assert settings.blob_url == f"file://{tmp_path / 'data' / 'blobs'}"
    assert settings.is_sqlite
    assert settings.redis_url is None and settings.amqp_url is None
    assert settings.environment == "development"
    assert settings.secret_key == DEVELOPMENT_SECRET


def test_without_any_setting_the_data_dir_is_data_in_the_working_directory(tmp_path: Path) -> None:
    settings = Settings()

    assert settings.data_dir == tmp_path.resolve() / "data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'data' / 'crowdsketch.db'}"
    assert settings.blob_url == f"file://{tmp_path.resolve() / 'data' / 'blobs'}"


def test_a_relative_or_home_data_dir_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(data_dir="some/where").data_dir == tmp_path.resolve() / "some" / "where"  # type: ignore[arg-type]

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home = Settings(data_dir="~/crowdsketch")  # type: ignore[arg-type]
    assert home.data_dir == (tmp_path / "home" / "crowdsketch").resolve()
    assert home.database_url.startswith(f"sqlite+aiosqlite:///{tmp_path.resolve() / 'home'}")


def test_a_given_url_is_kept(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="postgresql+asyncpg://user@db:5432/crowdsketch",
        blob_url="s3://drawings",
        redis_url="redis://cache:6379/0",
        amqp_url="amqp://queue",
    )

    assert settings.database_url == "postgresql+asyncpg://user@db:5432/crowdsketch"
    assert settings.blob_url == "s3://drawings"
    assert not settings.is_sqlite


# -- refused configurations ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("mysql://user@db/crowdsketch", id="mysql"),
        pytest.param("postgresql://user@db/crowdsketch", id="postgres-without-asyncpg"),
        pytest.param("postgres://user@db/crowdsketch", id="postgres-short-scheme"),
        pytest.param("sqlite:///crowdsketch.db", id="sqlite-without-aiosqlite"),
    ],
)
def test_a_bad_database_url_scheme_is_refused(url: str) -> None:
    _refused("database_url must start with sqlite+aiosqlite:// or postgresql+asyncpg://", database_url=url)


@pytest.mark.parametrize("url", ["http://bucket", "gs://bucket", "/var/blobs"])
def test_a_bad_blob_url_scheme_is_refused(url: str) -> None:
    _refused("blob_url must start with file:// or s3://", blob_url=url)


def test_a_bad_redis_or_amqp_url_is_refused() -> None:
    _refused("redis_url must start with", redis_url="http://cache:6379")
    _refused("amqp_url must start with", amqp_url="redis://queue")


def test_the_development_secret_is_refused_in_production() -> None:
    _refused("the development secret is refused in production", environment="production")
    _refused("the development secret is refused in production", environment="production",
             secret_key=DEVELOPMENT_SECRET)


def test_a_short_secret_is_refused_in_production_only() -> None:
    _refused("must be at least 32 bytes in production", environment="production", secret_key="")
    _refused("must be at least 32 bytes in production", environment="production", secret_key="x" * 31)
    assert Settings(environment="development", secret_key="short").secret_key == "short"


def test_production_with_another_secret_is_accepted() -> None:
    settings = Settings(environment="production", secret_key="a-long-random-production-secret-of-40-bytes")
    assert settings.environment == "production"
    assert settings.secret_key == "a-long-random-production-secret-of-40-bytes"


@pytest.mark.parametrize("environment", ["development", "test"])
def test_the_development_secret_is_fine_outside_production(environment: str) -> None:
    assert Settings(environment=environment).secret_key == DEVELOPMENT_SECRET  # type: ignore[arg-type]


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(environment="staging")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"port": 0}, id="port-0"),
        pytest.param({"port": 65536}, id="port-65536"),
        pytest.param({"max_body_bytes": 1023}, id="max-body-under-1KiB"),
        pytest.param({"retry_attempts": 0}, id="no-attempt"),
        pytest.param({"dependency_timeout_s": 0}, id="zero-timeout"),
    ],
)
def test_out_of_range_numbers_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(**values)  # type: ignore[arg-type]


# -- the environment ----------------------------------------------------------------------


def test_crowdsketch_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROWDSKETCH_ENVIRONMENT", "production")
    monkeypatch.setenv("CROWDSKETCH_SECRET_KEY", "from-the-environment-and-32-bytes-or-more")
    monkeypatch.setenv("CROWDSKETCH_DATA_DIR", str(tmp_path / "env-data"))
    monkeypatch.setenv("CROWDSKETCH_REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("CROWDSKETCH_PORT", "9000")
    monkeypatch.setenv("CROWDSKETCH_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("CROWDSKETCH_LOG_JSON", "false")
    monkeypatch.setenv("CROWDSKETCH_DEPENDENCY_TIMEOUT_S", "2.5")

    settings = Settings()

    assert settings.environment == "production"
    assert settings.secret_key == "from-the-environment-and-32-bytes-or-more"
    assert settings.data_dir == tmp_path / "env-data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'env-data' / 'crowdsketch.db'}"
    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.port == 9000
    assert settings.max_body_bytes == 2048
    assert settings.log_json is False
    assert settings.dependency_timeout_s == 2.5


def test_an_environment_variable_is_checked_like_an_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDSKETCH_DATABASE_URL", "mysql://user@db/crowdsketch")
    _refused("database_url must start with")

    monkeypatch.setenv("CROWDSKETCH_DATABASE_URL", "postgresql+asyncpg://user@db/crowdsketch")
    monkeypatch.setenv("CROWDSKETCH_ENVIRONMENT", "production")
    _refused("the development secret is refused in production")


def test_an_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDSKETCH_PORT", "9000")
    assert Settings(port=8123).port == 8123


def test_a_variable_without_the_prefix_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("ENVIRONMENT", "production")
    settings = Settings()
    assert settings.port == 8000
    assert settings.environment == "development"


def test_the_standard_aws_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")

    settings = Settings(blob_url="s3://drawings")

    assert settings.aws_endpoint_url == "http://minio:9000"
    assert settings.aws_access_key_id == "key-id"
    assert settings.aws_secret_access_key == "secret"
    assert settings.aws_region == "eu-west-3"


def test_the_aws_settings_also_read_a_prefixed_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDSKETCH_AWS_ENDPOINT_URL", "http://localstack:4566")
    assert Settings().aws_endpoint_url == "http://localstack:4566"


def test_without_aws_variables_the_defaults_apply() -> None:
    settings = Settings()
    assert settings.aws_endpoint_url is None
    assert settings.aws_access_key_id is None
    assert settings.aws_secret_access_key is None
    assert settings.aws_region == "us-east-1"
