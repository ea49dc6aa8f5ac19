"""`make run-distributed` started, stopped and started again: how long until a model answers
through nginx, each time, side by side in one run.

With the development S3 server (no AWS_ENDPOINT_URL) the strokes and models are gone once
it stops; each start therefore begins a fresh stack (the database dropped and recreated,
deploy/prepare.py) and trains its first model again, so the second start should serve a
model in about the time the first did, rather than never (rows naming files that are gone).

    python bench/restart.py [--starts 2] [--timeout 600]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def start_once(port: int, run_dir: Path, timeout_s: float) -> tuple[float, int]:
    """Seconds from start until /api/inference/model/info answers 200 through nginx; and the
    model's version."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROWDSKETCH_", "AWS_"))}
    env.update(CROWDSKETCH_DEPLOY_PORT=str(port), CROWDSKETCH_DEPLOY_RUN_DIR=str(run_dir),
               CROWDSKETCH_DATA_DIR=str(run_dir / "data"))
    log = (run_dir / "deploy.log").open("ab")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "run.py")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=str(ROOT), start_new_session=True)
    try:
        while time.monotonic() - started < timeout_s:
            if proc.poll() is not None:
                raise RuntimeError(f"deploy/run.py exited {proc.returncode}; see {run_dir / 'deploy.log'}")
            try:
                info = httpx.get(f"http://127.0.0.1:{port}/api/inference/model/info", timeout=2)
                if info.status_code == 200:
                    return time.monotonic() - started, int(info.json()["version"])
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"no model after {timeout_s:.0f} s")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crowdsketch-restart-") as folder:
        times = []
        for start in range(1, args.starts + 1):
            seconds, version = start_once(args.port, Path(folder), args.timeout)
            times.append(seconds)
            print(f"start {start}: a model (version {version}) answers through nginx after {seconds:.1f} s", flush=True)
    print(f"later starts / first start: {', '.join(f'{t / times[0]:.2f}x' for t in times[1:])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
