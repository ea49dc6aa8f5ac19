"""The whole suite (Vitest, then pytest), several times in a row, while another process keeps
one core busy.

    python tests/stress.py [--runs 3] [--busy-cores 1] [--workers 2] [-- PYTEST ARGS...]

CI runs on a 2-core machine that may be busy; a test that passes only on an idle machine
throws away a day's work some day. This runs the suite as CI would (`pytest -q`) under a
busy loop it starts and stops itself, prints the failures of each run, and exits non-zero
if any run had one. `--no-web` leaves the Vitest suite out.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^=*\s*(?P<summary>(\d+ \w+(, )?)+) in [\d.]+s")
FAILURE = re.compile(r"^(FAILED|ERROR) ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WEB = ROOT / "web"


def _spin() -> None:
    while True:
        pass


def _run_suite(workers: int, pytest_args: list[str]) -> tuple[int, str, list[str], float]:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", "-n", str(workers), *pytest_args],
        cwd=ROOT, capture_output=True, text=True,
    )
    elapsed = time.monotonic() - started
    lines = completed.stdout.splitlines()
    summary = next((m["summary"] for line in reversed(lines) if (m := SUMMARY.match(line.strip("= ")))), "no summary")
    failures = [line for line in lines if FAILURE.match(line)]
    if completed.returncode not in (0, 1) and not failures:  # a crash or an interrupted run
        failures = lines[-20:] + completed.stderr.splitlines()[-20:]
    return completed.returncode, summary, failures, elapsed


def _run_web() -> tuple[int, str, list[str], float]:
    started = time.monotonic()
    completed = subprocess.run(["npm", "test"], cwd=WEB, capture_output=True, text=True)
    lines = [ANSI.sub("", line) for line in (completed.stdout + completed.stderr).splitlines()]
    summary = next((line.strip() for line in reversed(lines) if line.strip().startswith("Tests ")), "no summary")
    failures = sorted({line.strip() for line in lines if line.strip().startswith("FAIL ")})
    return completed.returncode, summary, failures, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="how many runs in a row (default 3)")
    parser.add_argument("--busy-cores", type=int, default=1, help="cores kept busy meanwhile (default 1)")
    parser.add_argument("--workers", type=int, default=0,
                        help="pytest processes (pytest-xdist), as `make test` runs: 0, the default, "
                             "for one process")
    parser.add_argument("--no-web", action="store_true", help="leave the Vitest suite out")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args()

    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy_cores)]
    for spinner in spinners:
        spinner.start()
    print(f"stress: {args.runs} run(s) of the suite with {args.busy_cores} core(s) kept busy "
          f"({os.cpu_count()} on this machine)", flush=True)
    results = []
    try:
        for run in range(1, args.runs + 1):
            suites = [] if args.no_web else [("vitest", _run_web())]
            suites.append(("pytest", _run_suite(args.workers, args.pytest_args)))
            results.append(max(code for _, (code, *_) in suites))
            for name, (code, summary, failures, elapsed) in suites:
                print(f"run {run}, {name}: {summary} in {elapsed:.0f} s (exit {code})", flush=True)
                for line in failures:
                    print(f"    {line}", flush=True)
    finally:
        for spinner in spinners:
            spinner.terminate()
        for spinner in spinners:
            spinner.join()
    passed = sum(code == 0 for code in results)
    print(f"stress: {passed} of {len(results)} run(s) passed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
