"""What every benchmark run does around its measurements: stop cleanly on Ctrl-C or
SIGTERM, warn when the machine is already busy, and work in a scratch folder."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.cpu import CPU, CpuSampler


class Interrupted(Exception):
    pass


def start(banner: str) -> None:
    """SIGTERM ends the run the way Ctrl-C does, so that the clean-up runs; then a look at
    how busy the machine is before anything starts."""

    def on_sigterm(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    # Ctrl-C raises KeyboardInterrupt even where the shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print(f"{os.cpu_count()} cores; {banner}", flush=True)
    quiet = CPU.snapshot()
    time.sleep(1.0)
    others = CpuSampler.delta(quiet, CPU.snapshot(), 1.0).get("other", 0.0)
    if others > 0.25:
        print(f"WARNING: other processes are using {others:.2f} cores before the run starts", flush=True)


@contextmanager
def scratch(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary folder, removed at the end unless `keep`; a Ctrl-C inside becomes
    `Interrupted` once everything started in the block has been stopped."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    except KeyboardInterrupt:
        print("\ninterrupted; everything started was stopped", file=sys.stderr)
        raise Interrupted from None
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
