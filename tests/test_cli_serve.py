"""`crowdsketch serve` as a process: stopping it stops the worker child it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support.waiting import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_sigterm_stops_the_server_and_its_worker_child(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-m", "crowdsketch.cli", "serve", "--data-dir", str(tmp_path / "data"),
         "--port", str(port), "--no-bootstrap"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _healthy(port), "the server answering /healthz")
        wait_until(lambda: bool(_children(server.pid)), "the worker child starting")
        worker = _children(server.pid)[0]

        server.send_signal(signal.SIGTERM)
        wait_until(lambda: server.poll() is not None, "the server exiting")
        wait_until(lambda: not _alive(worker), "the worker child exiting")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_sigterm_stops_a_worker_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "crowdsketch.cli", "migrate", "--data-dir", str(data_dir)],
                   check=True, capture_output=True)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "crowdsketch.cli", "worker", "--data-dir", str(data_dir)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: b"worker ready" in log.read_bytes(), "the worker starting")
        worker.send_signal(signal.SIGTERM)
        wait_until(lambda: worker.poll() is not None, "the worker exiting")
        assert worker.returncode == 0, "stopped like Ctrl-C, not killed by the signal"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
