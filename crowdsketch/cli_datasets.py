"""The `crowdsketch dataset` commands: freeze a snapshot of the drawings, list the snapshots,
and export one as JSON Lines with its datasheet. Registered in `crowdsketch.cli`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crowdsketch.cli_support import (
    DataDirOption,
    output_file,
    progress_bar,
    require_folder_of,
    run_or_exit,
    settings_for,
    split_list,
)

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

dataset_app = typer.Typer(help="Frozen snapshots of the drawings, to train from and to hand out.",
                          no_args_is_help=True)

Threshold = Annotated[float | None, typer.Option(min=0.0, max=1.0)]


@dataset_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="A unique name: letters, digits, spaces, '.', '_' or '-'.")],
    shapes: Annotated[str | None, typer.Option(help="Comma-separated shape ids; every active shape if omitted.")] = None,
    sources: Annotated[str | None, typer.Option(help="Comma-separated sources (game, import, synthetic...).")] = None,
    min_quality: Annotated[float, typer.Option(min=0.0, max=1.0, help="Leave out drawings of lower quality.")] = 0.0,
    min_agreement: Threshold = None,
    min_consensus: Threshold = None,
    min_trust: Threshold = None,
    include_synthetic: Annotated[bool, typer.Option(help="Synthetic drawings too.")] = True,
    include_flagged: Annotated[bool, typer.Option("--include-flagged", help="Flagged drawings too.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Freeze the drawings the filters choose now (their labels and strokes), as the
    training filters choose them. Prints the snapshot's id and content hash."""
    from pydantic import ValidationError

    from crowdsketch.datasets.schemas import DatasetCreate, DatasetFilter

    try:
        body = DatasetCreate(name=name, filter=DatasetFilter(
            shapes=split_list(shapes), sources=split_list(sources), min_quality=min_quality,
            min_agreement=min_agreement, min_consensus=min_consensus, min_trust=min_trust,
            include_synthetic=include_synthetic, include_flagged=include_flagged,
        ))
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][-1] if first["loc"] and first["loc"][0] != "name" else "name")
        hint = "NAME" if field == "name" else f"--{field.replace('_', '-')}"
        raise typer.BadParameter(first["msg"], param_hint=hint) from None

    async def create(resources: Resources) -> None:
        from crowdsketch.datasets.snapshots import SnapshotService

        dataset = await SnapshotService.from_resources(resources).create(
            body.name, body.filter.model_dump(by_alias=True))
        per_shape = ", ".join(f"{shape} {count}" for shape, count in dataset.per_shape.items())
        typer.echo(f"snapshot {dataset.id} {dataset.name!r}: {dataset.drawings} drawings ({per_shape})")
        typer.echo(f"content hash {dataset.content_hash}")

    run_or_exit(settings_for(data_dir), create)


@dataset_app.command("list")
def list_command(data_dir: DataDirOption = None) -> None:
    """Every snapshot, newest first, with the models trained on it."""

    async def show(resources: Resources) -> None:
        from crowdsketch.datasets.snapshots import SnapshotService

        datasets = await SnapshotService.from_resources(resources).list()
        if not datasets:
            typer.echo("no snapshots yet: crowdsketch dataset create NAME")
        for dataset in datasets:
            models = ", ".join(f"v{model.version}" for model in dataset.models) or "no model"
            made = "  (made by a training job)" if dataset.implicit else ""
            typer.echo(f"{dataset.id}  {dataset.created_at:%Y-%m-%d %H:%M}  {dataset.drawings:>7} drawings  "
                       f"{dataset.content_hash[:12]}  {models:<12} {dataset.name}{made}")

    run_or_exit(settings_for(data_dir), show)


@dataset_app.command("export")
def export_command(
    dataset_id: Annotated[uuid.UUID, typer.Argument(metavar="ID", help="The snapshot's id (`dataset list`).")],
    file: Annotated[Path, typer.Argument(help="The JSON Lines file to write; the datasheet goes beside it.")],
    export_format: Annotated[str, typer.Option("--format", help="ndjson (the project's JSON Lines) | quickdraw")] = "ndjson",
    data_dir: DataDirOption = None,
) -> None:
    """Write the snapshot's drawings, streamed (each with the label it had when frozen), and
    its datasheet (counts, sources, licences, the creation filter, the content hash) as
    FILE's name with `.datasheet.md`."""
    from rich.progress import MofNCompleteColumn

    from crowdsketch.common.line_formats import EXPORT_FORMATS

    if export_format not in EXPORT_FORMATS:
        raise typer.BadParameter("ndjson or quickdraw", param_hint="--format")
    require_folder_of(file)
    sheet = file.with_name(f"{file.stem}.datasheet.md")
    written = 0

    async def export(resources: Resources) -> None:
        nonlocal written
        from crowdsketch.datasets.export import datasheet_markdown, snapshot_lines
        from crowdsketch.datasets.snapshots import SnapshotService

        dataset = await SnapshotService.from_resources(resources).get(dataset_id)
        with output_file(str(file)) as out, progress_bar(MofNCompleteColumn()) as progress:
            task = progress.add_task("exporting", total=dataset.drawings)
            async for line in snapshot_lines(resources, dataset_id, export_format):  # type: ignore[arg-type]
                out.write(line)
                written += 1
                progress.advance(task)
        sheet.write_text(datasheet_markdown(dataset, file.name))

    run_or_exit(settings_for(data_dir), export)
    typer.echo(f"exported {written} drawings to {file}, and its datasheet to {sheet}")
