"""The `crowdsketch` commands that move drawings in and out of a stack: synthetic seeding,
import and export of JSON Lines, evaluation of the active model on a labelled file, and the
evaluation sets (`evalset add|list|remove|score`). Registered on the command in
`crowdsketch.cli`."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from crowdsketch.cli_support import (
    DataDirOption,
    output_file,
    progress_bar,
    rate_column,
    require_file,
    require_folder_of,
    run_or_exit,
    settings_for,
    split_list,
    with_resources,
)
from crowdsketch.settings import Settings

if TYPE_CHECKING:
    from crowdsketch.evaluation import EvaluationReport
    from crowdsketch.resources import Resources
    from crowdsketch.strokes import StrokeData


def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled drawings, JSON Lines (label + strokes, or Quick, Draw! raw).")],
    url: Annotated[str | None, typer.Option(help="A running crowdsketch (e.g. http://127.0.0.1:8000); default: this data dir's active model in-process.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Accuracy, per-class recall and confusion matrix of the active model on a file."""
    from crowdsketch.evaluation import evaluate as run_evaluation

    require_file(file)
    lines = file.read_bytes().splitlines()
    if url is not None:
        import httpx

        with httpx.Client(base_url=url.rstrip("/"), timeout=10) as http:
            info = http.get("/api/inference/model/info")
            if info.status_code != 200:
                typer.echo(f"error: {url} has no model loaded ({info.status_code})", err=True)
                raise typer.Exit(1)

            def classify_remote(data: StrokeData) -> str:
                answer = http.post("/api/inference/classify", json={"strokeData": data.model_dump(mode="json")})
                answer.raise_for_status()
                return str(answer.json()["shape"])

            report = run_evaluation(lines, info.json()["classes"], classify_remote)
    else:
        report = asyncio.run(_evaluate_in_process(settings_for(data_dir), lines))
    typer.echo(report.render())


async def _evaluate_in_process(settings: Settings, lines: list[bytes]) -> EvaluationReport:
    from crowdsketch.evaluation import evaluate as run_evaluation
    from crowdsketch.resources import Resources

    resources = Resources.build(settings)
    try:
        await resources.models.refresh()
        model = resources.models.current
        if model is None:
            typer.echo("error: there is no active model in this data dir", err=True)
            raise typer.Exit(1)
        return run_evaluation(lines, model.classes, lambda data: resources.models.classify(data.strokes).shape)
    finally:
        await resources.close()


def seed(
    per_shape: Annotated[int, typer.Option("--per-shape", min=1, max=100_000, help="Drawings of each shape.")] = 100,
    random_seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed, the same drawings.")] = 0,
    data_dir: DataDirOption = None,
) -> None:
    """Store synthetic drawings of every active shape (source `synthetic`); a drawing the
    stack already holds (the same seed again) is not stored twice."""
    from rich.progress import MofNCompleteColumn

    async def run(resources: Resources) -> None:
        from crowdsketch.training.bootstrap import seed_synthetic

        shapes = len(await resources.collection.catalog.active_shapes())
        with progress_bar(MofNCompleteColumn()) as progress:
            task = progress.add_task("seeding", total=shapes * per_shape)
            stored = await seed_synthetic(resources, per_shape, random_seed, lambda n: progress.advance(task, n))
        known = int(progress.tasks[0].completed) - stored
        typer.echo(f"stored {stored} synthetic drawings" + (f"; {known} were there already" if known else ""))

    asyncio.run(with_resources(settings_for(data_dir), run))


def export_command(
    file: Annotated[str, typer.Argument(help="The file to write; `-` for stdout.")],
    export_format: Annotated[str, typer.Option("--format", help="ndjson (the project's JSON Lines) | quickdraw")] = "ndjson",
    shape: Annotated[list[str] | None, typer.Option(
        "--shape", help="Only these shapes: comma-separated, or the option repeated.")] = None,
    include_flagged: Annotated[bool, typer.Option("--include-flagged", help="Flagged drawings too.")] = False,
    source: Annotated[str | None, typer.Option(help="Only drawings from this source (game, import, ...).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write the drawings as JSON Lines, oldest first, straight from the stores."""
    from rich.progress import MofNCompleteColumn

    from crowdsketch.admin.transfer import TransferService
    from crowdsketch.common.line_formats import EXPORT_FORMATS

    if export_format not in EXPORT_FORMATS:
        raise typer.BadParameter("ndjson or quickdraw", param_hint="--format")
    if file != "-":
        require_folder_of(file)
    shape = split_list(shape)
    settings = settings_for(data_dir)
    written = 0

    async def export(resources: Resources) -> None:
        nonlocal written
        service = TransferService.from_resources(resources)
        export_filter = await service.export_filter(shape or (), include_flagged, source)
        total = await service.count(export_filter)
        with output_file(file) as out, progress_bar(MofNCompleteColumn(), rate_column()) as progress:
            task = progress.add_task("exporting", total=total)
            async for line in service.export_lines(export_filter, export_format):  # type: ignore[arg-type]
                out.write(line)
                written += 1
                progress.advance(task)

    started = time.perf_counter()
    run_or_exit(settings, export)
    elapsed = time.perf_counter() - started
    typer.echo(f"exported {written} drawings to {'stdout' if file == '-' else file} in {elapsed:.1f} s "
               f"({written / elapsed if elapsed else 0:,.0f} drawings/s)", err=file == "-")


def import_command(
    file: Annotated[str, typer.Argument(help="JSON Lines (ndjson or Quick, Draw! lines); `-` for stdin.")],
    source: Annotated[str, typer.Option(help="The source the imported drawings are marked with.")] = "import",
    data_dir: DataDirOption = None,
) -> None:
    """Import drawings straight into the stores; drawings already stored are skipped. Exits
    with 1 when a line was refused (each is reported with its line number)."""
    from rich.progress import DownloadColumn

    from crowdsketch.admin.transfer import TransferService
    from crowdsketch.common.line_formats import lines_from_chunks
    from crowdsketch.admin.transfer_schemas import ImportSummary

    if file != "-":
        require_file(file)
    settings = settings_for(data_dir)
    summaries: list[ImportSummary] = []

    async def load(resources: Resources) -> None:
        service = TransferService.from_resources(resources)
        with _input(file) as handle, progress_bar(DownloadColumn()) as progress:
            task = progress.add_task("importing", total=None if file == "-" else Path(file).stat().st_size)

            async def chunks() -> AsyncIterator[bytes]:
                while chunk := await asyncio.to_thread(handle.read, 1 << 20):
                    yield chunk
                    progress.advance(task, len(chunk))

            summaries.append(await service.import_lines(lines_from_chunks(chunks(), service.max_line_bytes), source))

    run_or_exit(settings, load)
    [summary] = summaries
    typer.echo(
        f"imported {summary.imported}, duplicates {summary.duplicates}, refused {summary.failed} "
        f"({summary.lines} line{'' if summary.lines == 1 else 's'})"
    )
    for error in summary.errors[:10]:
        typer.echo(f"line {error.line}: {error.field}: {error.message}", err=True)
    if summary.failed > 10:
        typer.echo(f"... and {summary.failed - 10} more refused lines", err=True)
    if summary.failed:
        raise typer.Exit(1)


evalset_app = typer.Typer(help="Evaluation sets: real drawings no model trains on, every model is scored on.",
                          no_args_is_help=True)


@evalset_app.command("add")
def evalset_add(
    name: Annotated[str, typer.Argument(help="The set's name (1-40 lower-case letters, digits, '.', '_', '-').")],
    file: Annotated[Path, typer.Argument(help="Labelled drawings, JSON Lines (ndjson or Quick, Draw! raw).")],
    data_dir: DataDirOption = None,
) -> None:
    """Register a set: its drawings leave every training set, and every new model is scored
    on it. Every line must be valid; a refused file is reported line by line (exit 1)."""
    from crowdsketch.common.line_formats import lines_from_chunks
    from crowdsketch.errors import ValidationError
    from crowdsketch.evaluation.service import EvaluationService

    require_file(file)

    async def add(resources: Resources) -> None:
        service = EvaluationService.from_resources(resources)

        async def chunks() -> AsyncIterator[bytes]:
            with file.open("rb") as handle:
                while chunk := await asyncio.to_thread(handle.read, 1 << 20):
                    yield chunk

        try:
            added = await service.add_set(name, lines_from_chunks(chunks(), service.max_line_bytes))
        except ValidationError as error:
            for detail in (error.details or [])[:10]:
                typer.echo(f"{detail['field']}: {detail['message']}", err=True)
            raise
        typer.echo(f"added {added.name}: {added.drawings} drawings of {', '.join(added.shapes)}")

    run_or_exit(settings_for(data_dir), add)


@evalset_app.command("list")
def evalset_list(data_dir: DataDirOption = None) -> None:
    """The registered sets, oldest first."""
    from crowdsketch.evaluation.service import EvaluationService

    async def show(resources: Resources) -> None:
        sets = await EvaluationService.from_resources(resources).list_sets()
        if not sets:
            typer.echo("no evaluation sets")
        for item in sets:
            typer.echo(f"{item.name:<20} {item.drawings:>6} drawings  {item.created_at:%Y-%m-%d %H:%M}  {', '.join(item.shapes)}")

    run_or_exit(settings_for(data_dir), show)


@evalset_app.command("remove")
def evalset_remove(
    name: Annotated[str, typer.Argument(help="The set's name.")], data_dir: DataDirOption = None
) -> None:
    """Forget a set and every model's score on it; its drawings may be trained on again."""
    from crowdsketch.evaluation.service import EvaluationService

    async def remove(resources: Resources) -> None:
        await EvaluationService.from_resources(resources).remove_set(name)
        typer.echo(f"removed {name}")

    run_or_exit(settings_for(data_dir), remove)


@evalset_app.command("score")
def evalset_score(
    model: Annotated[int | None, typer.Option("--model", help="The model's version; default: the active model.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Score a model on every set here and now, and keep the scores (as a re-score job would)."""
    from sqlalchemy import select

    from crowdsketch.db.models import ModelVersion
    from crowdsketch.evaluation.service import EvaluationService

    async def score(resources: Resources) -> None:
        statement = select(ModelVersion.id, ModelVersion.version)
        statement = statement.where(ModelVersion.version == model) if model is not None else statement.where(
            ModelVersion.active.is_(True))

        async def find(session):  # type: ignore[no-untyped-def]
            return (await session.execute(statement)).first()

        found = await resources.db.run(find, write=False)
        if found is None:
            typer.echo(f"error: no model {'version ' + str(model) if model is not None else 'is active'}", err=True)
            raise typer.Exit(1)
        scores = await EvaluationService.from_resources(resources).rescore(found.id)
        if not scores:
            typer.echo("no evaluation sets to score on (crowdsketch evalset add NAME FILE)")
        for item in scores:
            typer.echo(f"model v{found.version} on {item.eval_set}: accuracy {item.accuracy:.4f} ({item.drawings} drawings)")

    run_or_exit(settings_for(data_dir), score)


@contextmanager
def _input(file: str) -> Iterator[BinaryIO]:
    if file == "-":
        yield sys.stdin.buffer
        return
    with open(file, "rb") as handle:
        yield handle
