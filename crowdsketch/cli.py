"""The `crowdsketch` command. Every command reads its settings from the environment
(`CROWDSKETCH_*`); options override them."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crowdsketch.settings import Role, Settings

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

app = typer.Typer(help="crowdsketch: crowdsourced drawings to shape classifiers.", no_args_is_help=True)
logger = logging.getLogger("crowdsketch")

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the embedded stack keeps its files (CROWDSKETCH_DATA_DIR).")
]


def _settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    values = {key: value for key, value in overrides.items() if value is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)  # type: ignore[arg-type]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (CROWDSKETCH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (CROWDSKETCH_PORT).")] = None,
    data_dir: DataDirOption = None,
    role: Annotated[str, typer.Option(help="all | collection | admin | inference")] = "all",
    bootstrap: Annotated[bool, typer.Option(help="Bootstrap an empty embedded stack (admin, first model).")] = True,
    migrate: Annotated[bool, typer.Option(help="Bring the database schema up to date first.")] = True,
) -> None:
    """Serve the API (and the web app) for one role; `all` is the embedded stack."""
    import uvicorn

    from crowdsketch.app import create_app
    from crowdsketch.db.migrate import upgrade
    from crowdsketch.logs import configure_logging

    if role not in ("all", "collection", "admin", "inference"):
        raise typer.BadParameter("role must be all, collection, admin or inference", param_hint="--role")
    settings = _settings(data_dir, host=host, port=port)
    configure_logging(settings.log_level, settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.database_url)
    if bootstrap:
        from crowdsketch.admin.bootstrap import ensure_first_admin

        asyncio.run(_with_resources(settings, ensure_first_admin))
    role_name: Role = role  # type: ignore[assignment]
    logger.info("serving", extra={"role": role_name, "url": f"http://{settings.host}:{settings.port}"})
    uvicorn.run(
        create_app(settings, role_name),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=5,
    )


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="The admin's email (unique, case-insensitively).")],
    name: Annotated[str, typer.Option(help="Display name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Create an admin (prompts for the password unless --password-stdin)."""
    from sqlalchemy.exc import IntegrityError

    settings = _settings(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise typer.BadParameter("use at least 8 characters", param_hint="password")

    async def create(resources: Resources) -> None:
        async with resources.db.request_session() as session:
            await resources.auth.create_admin(session, email, name, password)

    try:
        asyncio.run(_with_resources(settings, create))
    except IntegrityError:
        typer.echo(f"an admin with the email {email} already exists", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created admin {email.strip().lower()}")


@app.command("migrate")
def migrate_command(data_dir: DataDirOption = None) -> None:
    """Bring the database schema up to date (Alembic)."""
    from crowdsketch.db.migrate import upgrade

    settings = _settings(data_dir)
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


async def _with_resources(settings: Settings, work: Callable[[Resources], Awaitable[None]]) -> None:
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        await work(resources)
    finally:
        await resources.close()


if __name__ == "__main__":
    app()
