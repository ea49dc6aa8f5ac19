"""What every `crowdsketch` command shares: the data-dir option, settings from the
environment, a stack's resources for the length of one piece of work, a progress bar."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

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


def require_file(file: Path | str, hint: str = "FILE") -> None:
    """A file to read: there, and a file (a folder or a missing path said so plainly)."""
    path = Path(file)
    if path.is_dir():
        raise typer.BadParameter(f"{file} is a folder; give a file", param_hint=hint)
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {file}", param_hint=hint)


def require_folder_of(file: Path | str, hint: str = "FILE") -> None:
    """A file to write: its folder must be there (it is not made on a guess)."""
    folder = Path(file).parent
    if not folder.is_dir():
        raise typer.BadParameter(f"no such folder: {folder}", param_hint=hint)


def split_list(values: list[str] | str | None) -> list[str] | None:
    """Ids given as a comma-separated list, the option repeated, or both."""
    if values is None:
        return None
    items = [values] if isinstance(values, str) else values
    found = [part.strip() for item in items for part in item.split(",") if part.strip()]
    return found or None


@contextmanager
def serving_lock(settings: Settings) -> Iterator[None]:
    """One `serve` per data dir while its state is the process's own (sessions, limits and
    idempotency keys in memory, without CROWDSKETCH_REDIS_URL): a second one would answer a
    cookie from the first "Session expired". Held until the process ends."""
    if settings.redis_url:
        yield
        return
    import fcntl

    from crowdsketch.errors import ConflictError

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / "serve.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConflictError(
                f"another `crowdsketch serve` (pid {holder}) is using {settings.data_dir}: stop it, or give this "
                "one another --data-dir (or share state through CROWDSKETCH_REDIS_URL)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def rate_column() -> ProgressColumn:
    """Items a second (rich's running estimate), as an export prints its rate."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{task.speed:,.0f}/s" if task.speed else "-/s")

    return Rate()


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


async def with_resources(
    settings: Settings, work: Callable[[Resources], Awaitable[None]], *, migrate: bool = True
) -> None:
    """`work` with the stack's resources; the schema brought up to date first (as `serve`
    does), so that a command on a new data dir works rather than finding no tables."""
    from crowdsketch.resources import Resources

    if migrate:
        from crowdsketch.db.migrate import upgrade

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(upgrade, settings.database_url)
    resources = Resources.build(settings)
    try:
        await work(resources)
    finally:
        await resources.close()


@contextmanager
def output_file(file: str) -> Iterator[BinaryIO]:
    """stdout, or a file that appears complete or not at all."""
    if file == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(file)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
