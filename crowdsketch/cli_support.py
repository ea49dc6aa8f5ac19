"""What every `crowdsketch` command shares: the data-dir option, settings from the
environment, a stack's resources for the length of one piece of work, a progress bar."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crowdsketch.settings import Settings

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

    from crowdsketch.resources import Resources

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the embedded stack keeps its files (CROWDSKETCH_DATA_DIR).")
]


def settings_for(data_dir: Path | None = None, **overrides: object) -> Settings:
    values = {key: value for key, value in overrides.items() if value is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)  # type: ignore[arg-type]


def progress_bar(*columns: ProgressColumn) -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    # On stderr, so that `-` can stream the data itself through stdout.
    return Progress(
        TextColumn("{task.description}"), BarColumn(), *columns, TimeRemainingColumn(), console=Console(stderr=True)
    )


def run_or_exit(settings: Settings, work: Callable[[Resources], Awaitable[None]]) -> None:
    from crowdsketch.errors import AppError

    try:
        asyncio.run(with_resources(settings, work))
    except AppError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


async def with_resources(settings: Settings, work: Callable[[Resources], Awaitable[None]]) -> None:
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        await work(resources)
    finally:
        await resources.close()
