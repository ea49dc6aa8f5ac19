"""The `crowdsketch` command. Every command reads its settings from the environment
(`CROWDSKETCH_*`); options override them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from crowdsketch import cli_data, cli_datasets, cli_quality
from crowdsketch.cli_errors import guarded
from crowdsketch.cli_support import (
    DataDirOption,
    progress_bar,
    run_or_exit,
    serving_lock,
    settings_for,
    split_list,
    with_resources,
)
from crowdsketch.settings import Role, Settings

if TYPE_CHECKING:
    from crowdsketch.resources import Resources
    from crowdsketch.training.schemas import EpochProgress

app = typer.Typer(
    help="crowdsketch: crowdsourced drawings to shape classifiers. A failure is one line on stderr; "
    "add --debug to any command for its traceback.",
    no_args_is_help=True,
)
logger = logging.getLogger("crowdsketch")

@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (CROWDSKETCH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (CROWDSKETCH_PORT).")] = None,
    data_dir: DataDirOption = None,
    role: Annotated[str, typer.Option(help="all | collection | admin | inference")] = "all",
    bootstrap: Annotated[bool, typer.Option(help="Bootstrap an empty embedded stack (admin, first model).")] = True,
    migrate: Annotated[bool, typer.Option(help="Bring the database schema up to date first.")] = True,
    worker: Annotated[bool, typer.Option(help="With --role all: run a training worker child process.")] = True,
) -> None:
    """Serve the API (and the web app) for one role; `all` is the embedded stack."""
    from crowdsketch.logs import configure_logging

    if role not in ("all", "collection", "admin", "inference"):
        raise typer.BadParameter("role must be all, collection, admin or inference", param_hint="--role")
    settings = settings_for(data_dir, host=host, port=port)
    configure_logging(settings.log_level, settings.log_json)
    with serving_lock(settings):
        _serve(settings, role, bootstrap=bootstrap, migrate=migrate, worker=worker)


def _serve(settings: Settings, role: str, *, bootstrap: bool, migrate: bool, worker: bool) -> None:
    from crowdsketch.app import create_app
    from crowdsketch.db.migrate import upgrade

    if migrate:
        upgrade(settings.database_url)
    if bootstrap:
        from crowdsketch.admin.bootstrap import ensure_first_admin

        asyncio.run(with_resources(settings, ensure_first_admin, migrate=False))  # done above, if asked
    asyncio.run(with_resources(settings, _heal_active_model, migrate=False))
    role_name: Role = role  # type: ignore[assignment]
    logger.info("serving", extra={"role": role_name, "url": f"http://{settings.host}:{settings.port}"})
    child = None
    if role_name == "all" and worker:
        # The embedded stack's worker: a child process, so training never slows the API.
        command = [sys.executable, "-m", "crowdsketch.cli", "worker", "--data-dir", str(settings.data_dir),
                   "--parent-pid", str(os.getpid())]
        child = subprocess.Popen([*command, "--bootstrap"] if bootstrap else command)
    # uvicorn shuts down on SIGTERM and then re-raises it with the handler it found; the
    # default one would end this process on the spot, leaving the worker child behind.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        _run_uvicorn(settings, create_app(settings, role_name))
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


async def _heal_active_model(resources: Resources) -> None:
    """Inference must not wait for ever on a model whose files are gone (a development S3
    server restarted empty): the newest intact model takes its place, or the first model is
    trained again. A store that cannot be read now is left to `crowdsketch doctor`."""
    from crowdsketch.doctor.repair import heal_active_model
    from crowdsketch.errors import AppError

    try:
        action = await heal_active_model(resources)
    except AppError as error:
        logger.warning("could not check the active model's files: %s", error.message)
        return
    if action is not None:
        logger.warning("the active model had no files: %s", action.action, extra={"modelId": action.finding.subject})


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _run_uvicorn(settings: Settings, asgi_app: object) -> None:
    import gc

    import uvicorn

    # What is loaded by now (modules, the app and its routes: about 230,000 objects) lives
    # as long as the process. Frozen, the collector no longer walks all of it in each full
    # collection that the requests' allocations set off (BENCHMARKS.md, "Ingest").
    gc.collect()
    gc.freeze()

    uvicorn.run(  # type: ignore[call-overload]
        asgi_app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
        # WebSocket messages here are small (a point of a shared drawing is about 40 bytes):
        # compressing each for each recipient cost 6% of a busy room's CPU and saved nothing.
        ws_per_message_deflate=False,
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

    settings = settings_for(data_dir)
    password = _new_password(password_stdin)

    async def create(resources: Resources) -> None:
        async with resources.db.request_session() as session:
            await resources.auth.create_admin(session, email, name, password)

    try:
        asyncio.run(with_resources(settings, create))
    except IntegrityError:
        typer.echo(f"error: an admin with the email {email} already exists; "
                   f"to change its password: crowdsketch set-password {email}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created admin {email.strip().lower()}")


@app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The admin's email.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Give an admin a new password (a lost one, or the first admin's printed one); the
    sessions signed in with the old one end."""
    from crowdsketch.training.command import CommandLineStarter

    password = _new_password(password_stdin)

    async def change(resources: Resources) -> None:
        async with resources.db.request_session() as session:
            await resources.auth.set_password(session, email, password, CommandLineStarter.current().email)

    run_or_exit(settings_for(data_dir), change)
    typer.echo(f"set the password of {email.strip().lower()}")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise typer.BadParameter("use at least 8 characters", param_hint="password")
    return password


@app.command()
def train(
    epochs: Annotated[int, typer.Option(min=1, max=100, help="Passes over the training drawings.")] = 8,
    shapes: Annotated[str | None, typer.Option(help="Comma-separated shape ids; every active shape if omitted.")] = None,
    include_synthetic: Annotated[bool, typer.Option(help="Train on synthetic drawings too.")] = True,
    include_flagged: Annotated[bool, typer.Option(help="Train on flagged drawings too.")] = False,
    min_quality: Annotated[float, typer.Option(min=0.0, max=1.0, help="Leave out drawings scored below this.")] = 0.0,
    min_agreement: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Leave out drawings the model gave less than this probability of their shape.")] = None,
    min_consensus: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Leave out drawings the crowd judged less likely than this to be their shape.")] = None,
    min_trust: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Leave out drawings by contributors trusted less than this.")] = None,
    random_seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed: the same seed, the same run.")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="Make the trained model the active one.")] = False,
    queue: Annotated[bool, typer.Option("--queue", help="Leave the training to the workers and follow it.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Train a model here with a progress bar, or (--queue) follow a worker training it.
    The same config as an unfinished job is that job: it is followed, not started again."""
    from pydantic import ValidationError
    from rich.progress import TextColumn

    from crowdsketch.training.schemas import TrainingConfig

    shape_ids = split_list(shapes)
    try:
        config = TrainingConfig(
            epochs=epochs, shapes=shape_ids, include_synthetic=include_synthetic, include_flagged=include_flagged,
            min_quality=min_quality, min_agreement=min_agreement,
            min_consensus=min_consensus, min_trust=min_trust, seed=random_seed, activate=activate,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise typer.BadParameter(first["msg"].removeprefix("Value error, "), param_hint=f"--{str(first['loc'][0]).replace('_', '-')}") from None

    async def run(resources: Resources) -> None:
        from crowdsketch.training import command

        job, created = await command.start(resources, config, here=not queue)
        if not created:
            typer.echo(f"the same training is already job {job.id} ({job.status}); following it", err=True)
        with progress_bar(
            TextColumn("epoch {task.completed:.0f}/{task.total:.0f}"),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("validation accuracy {task.fields[accuracy]}"),
        ) as progress:
            task = progress.add_task("training", total=config.epochs, loss="-", accuracy="-")

            def show(epoch: EpochProgress) -> None:
                progress.update(task, completed=epoch.epoch, loss=f"{epoch.loss:.4f}",
                                accuracy=f"{epoch.validation_accuracy:.3f}")

            def unclaimed() -> None:
                progress.console.print(
                    f"no worker has taken job {job.id} yet: is `crowdsketch worker` (or `crowdsketch serve`) "
                    "running on this stack? Ctrl-C cancels the job.")

            if created and not queue:
                job = await command.train_here(resources, job.id, show)
            else:
                try:
                    job = await command.follow(resources, job.id, show, on_unclaimed=unclaimed)
                except asyncio.CancelledError:
                    if created:
                        typer.echo(await command.give_up_following(resources, job.id), err=True)
                    raise
        model = await command.trained_model(resources, job)
        if job.status != "completed" or model is None:
            typer.echo(f"training job {job.id} {job.status}" + (f": {job.error}" if job.error else ""), err=True)
            raise typer.Exit(1)
        typer.echo(
            f"model version {model.version}: validation accuracy {model.accuracy:.3f}"
            f"{' (active)' if model.active else ''}, training job {job.id}"
        )
        if job.progress.get("notActivated"):
            typer.echo(f"warning: not made active: {job.progress['notActivated']}", err=True)

    run_or_exit(settings_for(data_dir), run)


@app.command()
def worker(
    data_dir: DataDirOption = None,
    bootstrap: Annotated[bool, typer.Option(help="On an empty stack, seed and train the first model.")] = False,
    parent_pid: Annotated[int | None, typer.Option(
        hidden=True, help="Stop when this process ends (serve's worker child, even if serve is killed).")] = None,
) -> None:
    """Run a training worker against the configured queue (RabbitMQ, or the database)."""
    from crowdsketch.logs import configure_logging

    settings = settings_for(data_dir)
    configure_logging(settings.log_level, settings.log_json)

    async def run(resources: Resources) -> None:
        from crowdsketch.training.bootstrap import bootstrap_first_model
        from crowdsketch.training.worker import TrainingWorker

        if bootstrap:
            await bootstrap_first_model(resources)
        training_worker = TrainingWorker(resources)
        logger.info("worker ready", extra={"owner": training_worker.owner})
        if parent_pid is None:
            await training_worker.run()
            return
        work = asyncio.create_task(training_worker.run())
        await _until_orphaned(parent_pid, work)

    # SIGTERM stops the worker as Ctrl-C does: its tasks are cancelled and its connections
    # closed, and a job it held goes back to the queue for another worker.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        asyncio.run(with_resources(settings, run))
    except (KeyboardInterrupt, SystemExit):
        pass


async def _until_orphaned(parent_pid: int, work: asyncio.Task[None], interval_s: float = 1.0) -> None:
    """Run `work` while `parent_pid` is this process's parent: a `serve` killed hard (SIGKILL,
    the OOM killer) cannot stop its child, so the child notices it was orphaned and stops."""
    while not work.done():
        if os.getppid() != parent_pid:
            logger.warning("the serve process that started this worker is gone; stopping", extra={"parentPid": parent_pid})
            work.cancel()
            break
        await asyncio.wait({work}, timeout=interval_s)
    with contextlib.suppress(asyncio.CancelledError):
        await work


@app.command("migrate")
def migrate_command(data_dir: DataDirOption = None) -> None:
    """Bring the database schema up to date (Alembic)."""
    from crowdsketch.db.migrate import upgrade

    settings = settings_for(data_dir)
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed; each finding is checked again first.")] = False,
    grace: Annotated[float | None, typer.Option("--grace", min=0, help="Seconds (default 600): blobs and rows younger than this may be half-written and are left alone.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report (and what the repair did) as JSON.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Find orphan blobs, drawings and models without their files, and stuck training jobs;
    --repair fixes them. Exits 0 when healthy or all repaired, 1 when problems are left."""
    import json

    from rich.console import Console

    from crowdsketch.doctor import DEFAULT_GRACE_S, RepairResult, diagnose
    from crowdsketch.doctor import repair as repair_all
    from crowdsketch.doctor.render import show_repair, show_report

    healthy = False

    async def run(resources: Resources) -> None:
        nonlocal healthy
        report = await diagnose(resources, DEFAULT_GRACE_S if grace is None else grace)
        result: RepairResult | None = await repair_all(resources, report) if repair else None
        healthy = result.succeeded if result is not None else report.healthy
        if as_json:
            body = report.to_json() | ({"repair": result.to_json()} if result is not None else {})
            typer.echo(json.dumps(body, indent=2))
            return
        console = Console()
        show_report(console, report)
        if result is not None:
            show_repair(console, result)

    run_or_exit(settings_for(data_dir), run)
    if not healthy:
        raise typer.Exit(1)


# Moving drawings in and out: crowdsketch/cli_data.py.
app.command()(cli_data.seed)
app.command("import")(cli_data.import_command)
app.command("export")(cli_data.export_command)
app.command()(cli_data.evaluate)
app.add_typer(cli_data.evalset_app, name="evalset")
app.add_typer(cli_quality.label_issues_app, name="label-issues")
app.add_typer(cli_datasets.dataset_app, name="dataset")


# The installed `crowdsketch` command: `app` inside the error boundary.
main = guarded(app)

if __name__ == "__main__":
    main()
