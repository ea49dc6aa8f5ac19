"""The app as `make run` starts it, for the browser tests: `crowdsketch serve` (its worker
child included) on a new data dir and a free port, in a process group of its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_BUILD = REPO_ROOT / "web" / "dist" / "index.html"
AXE_SCRIPT = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"

ADMIN_EMAIL = "admin@localhost"  # the first admin `serve` creates on a new stack
ADMIN_PASSWORD = "e2e admin password"
SEEDED_PER_SHAPE = 20
STARTUP_DEADLINE_S = 60.0
STOP_DEADLINE_S = 15.0


@dataclass
class Server:
    base_url: str
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes]

    @contextmanager
    def admin_api(self) -> Iterator[httpx.Client]:
        """An HTTP client logged in as the admin (cookie kept, CSRF header set)."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = client.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            response.raise_for_status()
            client.headers["X-CSRF-Token"] = response.json()["csrfToken"]
            yield client

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(root: Path, settings: Mapping[str, str] | None = None) -> Server:
    """A new stack in `root`: synthetic drawings of every shape and an active model trained
    on them (`crowdsketch seed`, `crowdsketch train`), then `crowdsketch serve`, which creates
    the first admin from CROWDSKETCH_ADMIN_PASSWORD and starts the training worker.
    `settings`: CROWDSKETCH_* variables for a test's own server, over the defaults here."""
    data_dir = root / "data"
    port = _free_port()
    env = {**_environment(data_dir, port), **(settings or {})}
    _cli(env, root, "migrate")
    _cli(env, root, "seed", "--per-shape", str(SEEDED_PER_SHAPE), "--seed", "1")
    _cli(env, root, "train", "--epochs", "1", "--seed", "1", "--activate")

    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "crowdsketch.cli", "serve"],
            env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, log, process)
    try:
        _wait_until_healthy(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    """SIGTERM to the server's process group (the server and its worker child), then
    SIGKILL to whatever is left of it."""
    process = server.process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    # The caller's CROWDSKETCH_* and AWS_* settings could point at real services: none is kept.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
    env.update({
        "CROWDSKETCH_ENVIRONMENT": "test",
        "CROWDSKETCH_DATA_DIR": str(data_dir),
        "CROWDSKETCH_PORT": str(port),
        "CROWDSKETCH_BCRYPT_ROUNDS": "4",
        "CROWDSKETCH_ACTIVATION_FLOOR": "0",  # the one-epoch model the pages test against is made active
        "CROWDSKETCH_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CROWDSKETCH_LOG_JSON": "false",
        "CROWDSKETCH_JOB_POLL_INTERVAL_S": "0.2",
        # A blob store that is back is tried again soon.
        "CROWDSKETCH_BREAKER_RESET_S": "0.5",
    })
    return env


def _cli(env: dict[str, str], cwd: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crowdsketch.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"crowdsketch {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        assert server.process.poll() is None, f"crowdsketch serve exited ({server.process.returncode}):\n{server.log_tail()}"
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"crowdsketch serve was not healthy in time:\n{server.log_tail()}"
        time.sleep(0.1)
