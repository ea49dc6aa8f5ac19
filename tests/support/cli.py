"""Running the `crowdsketch` command as a user does: a process, with a test's settings and
none of the caller's stores (its CROWDSKETCH_* URLs could point at real services)."""

from __future__ import annotations

import os
import subprocess
import sys

CLI = [sys.executable, "-m", "crowdsketch.cli"]


def cli_env(**extra: str) -> dict[str, str]:
    # A wide terminal: messages are checked whole, not as the console would wrap them.
    env = {**os.environ, "CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_LOG_JSON": "false", "COLUMNS": "400", **extra}
    for name in ("DATABASE_URL", "BLOB_URL", "REDIS_URL", "AMQP_URL", "DEBUG"):
        if f"CROWDSKETCH_{name}" not in extra:
            env.pop(f"CROWDSKETCH_{name}", None)
    return env


def run_cli(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=cli_env(**env), input=stdin, check=False,
                          timeout=600)
