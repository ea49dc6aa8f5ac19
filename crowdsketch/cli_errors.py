"""The command's error boundary: a failure a user can cause or fix is one line on stderr and
an exit status, never a traceback (`--debug`, or CROWDSKETCH_DEBUG=1, shows it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import typer

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


def explain(error: BaseException) -> str | None:
    """One line saying what went wrong and what to do, for the failures we know; None for a
    bug (it keeps its traceback)."""
    import httpx
    import pydantic
    from sqlalchemy.exc import OperationalError

    from crowdsketch.errors import AppError
    from crowdsketch.training.dataset import EmptyDatasetError

    if isinstance(error, AppError):
        return error.message
    if isinstance(error, pydantic.ValidationError) and error.title == "Settings":
        first = error.errors()[0]
        name = "_".join(str(part) for part in first["loc"]).upper()
        where = f"CROWDSKETCH_{name}: " if name else ""
        return f"invalid setting {where}{first['msg'].removeprefix('Value error, ')}"
    if isinstance(error, httpx.UnsupportedProtocol):
        return f"{error}: a URL starts with http:// or https:// (e.g. http://127.0.0.1:8000)"
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return f"cannot connect to {error.request.url.scheme}://{error.request.url.netloc.decode()}: is crowdsketch serving there?"
    if isinstance(error, httpx.HTTPError):
        return f"the request failed: {error}"
    if isinstance(error, IsADirectoryError | NotADirectoryError | FileNotFoundError | PermissionError | FileExistsError):
        return f"{error.strerror.lower() if error.strerror else error}: {error.filename}"
    if isinstance(error, OperationalError):
        return f"the database cannot be reached: {error.orig}"
    if isinstance(error, EmptyDatasetError):
        return f"nothing to train on: {error}"
    if isinstance(error, OSError) and error.errno is not None and error.strerror:
        return error.strerror
    return None


def guarded(app: Callable[..., object]) -> Callable[[], None]:
    """`app` (a Typer) run with the boundary around it, as the `crowdsketch` command."""
    def main() -> None:
        args = sys.argv[1:]
        debug = "--debug" in args or os.environ.get("CROWDSKETCH_DEBUG", "") not in ("", "0", "false")
        args = [arg for arg in args if arg != "--debug"]
        try:
            app(args=args, prog_name="crowdsketch")
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as error:  # noqa: BLE001 - the boundary: known failures become one line
            message = None if debug else explain(error)
            if message is None:
                raise
            typer.echo(f"error: {message}", err=True)
            sys.exit(EXIT_FAILURE)

    return main
