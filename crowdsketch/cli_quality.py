"""The `crowdsketch label-issues` commands: start a label-issue scan (run here, or left to
the workers with --queue) and show the latest ranking. Registered in `crowdsketch.cli`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crowdsketch.cli_support import DataDirOption, run_or_exit, settings_for, split_list

if TYPE_CHECKING:
    from crowdsketch.resources import Resources

label_issues_app = typer.Typer(help="Drawings whose label is probably wrong.", no_args_is_help=True)


@label_issues_app.command("scan")
def scan_command(
    folds: Annotated[int, typer.Option(min=2, max=10, help="Models trained, each without the drawings it scores.")] = 5,
    epochs: Annotated[int, typer.Option(min=1, max=100, help="Epochs each fold's model trains.")] = 30,
    shapes: Annotated[str | None, typer.Option(help="Comma-separated shape ids; every active shape if omitted.")] = None,
    random_seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: the same seed, the same scan.")] = 0,
    queue: Annotated[bool, typer.Option("--queue", help="Leave the scan to the workers and follow it.")] = False,
    limit: Annotated[int, typer.Option(min=0, help="Most suspicious drawings to print when it ends.")] = 20,
    data_dir: DataDirOption = None,
) -> None:
    """Rank the real drawings by how likely their label is wrong (out-of-fold probabilities
    from the training recipe, then cleanlab). The same config as an unfinished scan is that
    scan: it is followed, not started again."""
    from pydantic import ValidationError

    from crowdsketch.training.schemas import LabelIssueScanConfig

    shape_ids = split_list(shapes)
    try:
        config = LabelIssueScanConfig(folds=folds, epochs=epochs, shapes=shape_ids, seed=random_seed)
    except ValidationError as error:
        first = error.errors()[0]
        raise typer.BadParameter(first["msg"].removeprefix("Value error, "), param_hint=f"--{first['loc'][0]}") from None

    async def run(resources: Resources) -> None:
        from crowdsketch.training import command
        from crowdsketch.training.jobs import TrainingJobs
        from crowdsketch.training.scan import start_scan

        jobs = TrainingJobs.from_resources(resources)
        job, created = await start_scan(jobs, command.CommandLineStarter.current(), config, publish=queue)
        if not created:
            typer.echo(f"the same scan is already job {job.id} ({job.status}); following it", err=True)
        typer.echo(f"scanning: job {job.id}", err=True)
        if created and not queue:
            job = await command.train_here(resources, job.id, lambda _: None)
        else:
            job = await command.follow(resources, job.id, lambda _: None)
        if job.status != "completed":
            typer.echo(f"error: the scan {job.status}{': ' + job.error if job.error else ''}", err=True)
            raise typer.Exit(1)
        await _show(resources, limit)

    run_or_exit(settings_for(data_dir), run)


@label_issues_app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, most suspicious first.")] = 20,
    data_dir: DataDirOption = None,
) -> None:
    """The latest scan's ranking, most suspicious first."""
    run_or_exit(settings_for(data_dir), lambda resources: _show(resources, limit))


async def _show(resources: Resources, limit: int) -> None:
    from crowdsketch.quality.issues import label_issues

    page = await resources.db.run(lambda session: label_issues(session, max(limit, 1)), write=False)
    if page.scanned_at is None:
        typer.echo("no label-issue scan has completed")
        return
    typer.echo(f"scanned {page.drawings} drawings at {page.scanned_at:%Y-%m-%d %H:%M} UTC")
    for item in page.items[:limit]:
        mark = "  flagged" if item.flagged else ""
        typer.echo(f"{item.drawing_id}  {item.given_shape:>12} → {item.suggested_shape:<12} {item.score:6.3f}{mark}")
