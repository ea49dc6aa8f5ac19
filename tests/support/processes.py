"""What the tests that start whole topologies need from the machine: nginx, free ports."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def find_nginx() -> str | None:
    """Debian installs nginx in /usr/sbin, which a plain user's PATH may lack."""
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/sbin", "/usr/local/sbin"]:
        candidate = Path(folder or ".") / "nginx"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 (all held open until all are chosen)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
