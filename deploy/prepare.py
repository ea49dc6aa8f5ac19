#!/usr/bin/env python3
"""The one-off steps before the services of the distributed topology start, once per
release on several machines (deploy/run.py runs it on every start):

1. create the PostgreSQL database if it is missing; with the development S3 server (whose
   strokes and models are gone once it stops) drop it and start over, so that rows never
   point at files that are gone, unless `CROWDSKETCH_DEPLOY_KEEP_DATABASE=1`;
2. bring the schema up to date (Alembic);
3. create the S3 bucket if it is missing;
4. create the first admin, `admin@localhost` (`CROWDSKETCH_ADMIN_PASSWORD`, or a random
   password printed once).

    .venv/bin/python deploy/prepare.py      # with the services' CROWDSKETCH_* and AWS_* settings
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from topology import STARTED_MOTO

if TYPE_CHECKING:
    from crowdsketch.settings import Settings

Say = Callable[[str], None]


def prepare() -> None:
    from crowdsketch.db.migrate import upgrade
    from crowdsketch.logs import configure_logging
    from crowdsketch.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, json=False)

    asked_reset = _flag("CROWDSKETCH_DEPLOY_RESET_DATABASE")
    keep = _flag("CROWDSKETCH_DEPLOY_KEEP_DATABASE")
    development_s3 = os.environ.get(STARTED_MOTO) == "1"
    if asked_reset and not development_s3:
        raise SystemExit("CROWDSKETCH_DEPLOY_RESET_DATABASE is honoured only with the development S3 server")
    # The development S3 server starts empty: a database kept from an earlier run would
    # name strokes and models it no longer has.
    reset = development_s3 and (asked_reset or not keep)
    created = asyncio.run(_ensure_database(settings.database_url, reset, _say))
    upgrade(settings.database_url)
    _say("database schema is up to date")
    _ensure_bucket(settings, _say)
    asyncio.run(_first_admin_and_leftovers(settings, development_s3 and not created, _say))


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


async def _ensure_database(url: str, reset: bool, say: Say) -> bool:
    """Create the database if it is missing (or drop and create it with `reset`); True
    when it was created."""
    import asyncpg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database
    if not name:
        raise SystemExit("CROWDSKETCH_DATABASE_URL names no database")
    connect = dict(host=target.host or "127.0.0.1", port=target.port or 5432, user=target.username,
                   password=target.password)
    if not reset:
        try:
            connection = await asyncpg.connect(database=name, **connect)
            await connection.close()
            return False
        except asyncpg.InvalidCatalogNameError:
            pass
    admin = await asyncpg.connect(database="postgres", **connect)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        if reset:
            await admin.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            say(f"dropped database {name} (the development S3 server starts empty; CROWDSKETCH_DEPLOY_KEEP_DATABASE=1 keeps it)")
        try:
            await admin.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False  # another start made it meanwhile
        say(f"created database {name}")
        return True
    finally:
        await admin.close()


def _ensure_bucket(settings: Settings, say: Say) -> None:
    bucket = settings.blob_url.removeprefix("s3://").split("/", 1)[0]
    try:
        import boto3
        from botocore.exceptions import ClientError
    except ImportError:
        say(f"boto3 is not installed: cannot check that bucket {bucket} exists (create it yourself)")
        return
    client = boto3.client(
        "s3", endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region,
        aws_access_key_id=settings.aws_access_key_id, aws_secret_access_key=settings.aws_secret_access_key,
    )
    try:
        client.head_bucket(Bucket=bucket)
        return
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    location = {} if settings.aws_region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": settings.aws_region}}
    try:
        client.create_bucket(Bucket=bucket, **location)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    say(f"created bucket {bucket}")


async def _first_admin_and_leftovers(settings: Settings, development_s3: bool, say: Say) -> None:
    from sqlalchemy import func, select

    from crowdsketch.admin.bootstrap import ensure_first_admin
    from crowdsketch.db.models import Drawing, ModelVersion
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        await ensure_first_admin(resources)
        if development_s3:
            async with resources.db.request_session() as session:
                drawings = (await session.execute(select(func.count()).select_from(Drawing))).scalar_one()
                models = (await session.execute(select(func.count()).select_from(ModelVersion))).scalar_one()
            if drawings or models:
                say("!" * 78)
                say(f"! the database has {_count(drawings, 'drawing')} and {_count(models, 'model')} from an earlier run, whose")
                say("! strokes and model files were in that run's in-memory S3 and are gone: training on")
                say("! them will fail (the active model is replaced or trained again at start). Unset")
                say("! CROWDSKETCH_DEPLOY_KEEP_DATABASE to start over, or use a persistent S3 (AWS_ENDPOINT_URL).")
                say("!" * 78)
    finally:
        await resources.close()


def _say(text: str) -> None:
    print(text, flush=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    prepare()
    sys.exit(0)
