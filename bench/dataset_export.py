"""`crowdsketch dataset export` of a small and a large snapshot, side by side in one run: does
its memory stay flat while its output grows, and does re-importing the output recreate the
snapshot's content hash?

Each size gets a fresh embedded data dir (SQLite + files): `crowdsketch seed` stores about N
synthetic drawings (the same seed at both sizes, 12 shapes), `crowdsketch dataset create`
freezes all of them, and `crowdsketch dataset export` writes them as JSON Lines. Each command
is a child process of this one, run one at a time and reaped with `os.wait4`, so its peak
resident memory (ru_maxrss) is its own. Beside the export, the same figure for two commands
that stream nothing: `crowdsketch dataset list` on the same stack (the command's fixed cost:
Python, the app's imports, the stores opened), and a Python process that reads the exported
file whole into a list of parsed lines (what a non-streaming export would at least hold).

Streaming means the 10k/1k ratio of the export's peak memory is about 1 while the file grows
about 10x. Then the large file is imported into a third, fresh data dir (`migrate`, `import`),
snapshotted with the same filter (everything), and the two content hashes are compared: the
exit status is 1 when they differ.

    python bench/dataset_export.py [--drawings 10000] [--small 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stacks import clean_env, crowdsketch_cmd  # noqa: E402

SHAPES = 12  # the default catalogue's active shapes: `seed --per-shape` stores this many a step
MB = 1024 * 1024
SNAPSHOT = re.compile(r"snapshot (?P<id>[0-9a-f-]{36}) .*?: (?P<drawings>\d+) drawings")
HASH = re.compile(r"content hash (?P<hash>[0-9a-f]{64})")
# What a non-streaming export would at least hold: every line of the file, parsed, at once.
LOAD_WHOLE = "import orjson, sys; rows = [orjson.loads(line) for line in open(sys.argv[1], 'rb')]; print(len(rows))"


@dataclass(frozen=True)
class Run:
    """One child process, run alone: its output, wall seconds and peak resident memory; and,
    where a file was watched, (bytes written so far, resident MB) sampled every 20 ms."""

    stdout: str
    seconds: float
    peak_rss_mb: float
    samples: tuple[tuple[int, float], ...] = ()

    def rss_while_writing(self, total_bytes: int) -> tuple[float, float] | None:
        """Resident MB once a tenth of the file was written, and at the last sample before it
        was complete: how much memory grew while the other nine tenths were streamed."""
        writing = [(written, rss) for written, rss in self.samples if written > 0]
        early = [rss for written, rss in writing if written >= total_bytes / 10]
        return (early[0], writing[-1][1]) if early else None


def resident_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) / 1024 if found else None


def run(args: list[str], env: dict[str, str], workdir: Path, watch: Path | None = None) -> Run:
    """Run one command to its end and reap it with wait4, for its own ru_maxrss; while it runs,
    sample its resident memory beside the size of `watch` (the file it writes)."""
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    samples: list[tuple[int, float]] = []
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=str(ROOT))
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if watch else 0)
            if pid:
                break
            rss = resident_mb(proc.pid)
            if rss is not None and watch is not None:
                samples.append((watch.stat().st_size if watch.exists() else 0, rss))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{err.read_text()[-3000:]}")
    return Run(out.read_text(), seconds, usage.ru_maxrss * 1024 / MB, tuple(samples))  # ru_maxrss: KiB on Linux


def cli(*args: str, data_dir: Path, workdir: Path, watch: Path | None = None) -> Run:
    return run([*crowdsketch_cmd(), *args, "--data-dir", str(data_dir)], clean_env(), workdir, watch)


@dataclass(frozen=True)
class Snapshot:
    id: str
    drawings: int
    content_hash: str


def snapshot_everything(data_dir: Path, workdir: Path) -> Snapshot:
    printed = cli("dataset", "create", "everything", data_dir=data_dir, workdir=workdir).stdout
    found, hashed = SNAPSHOT.search(printed), HASH.search(printed)
    if not found or not hashed:
        raise RuntimeError(f"`dataset create` printed no snapshot and hash:\n{printed}")
    return Snapshot(found["id"], int(found["drawings"]), hashed["hash"])


@dataclass(frozen=True)
class Measured:
    drawings: int
    seed_s: float
    file_bytes: int
    export: Run
    fixed: Run  # `dataset list`: the command's cost without exporting anything
    whole: Run  # the exported file read whole into memory
    snapshot: Snapshot
    file: Path


def measure(drawings: int, seed: int, workdir: Path) -> Measured:
    """A fresh stack of about `drawings` synthetic drawings, frozen and exported."""
    data_dir = workdir / f"stack-{drawings}"
    cli("migrate", data_dir=data_dir, workdir=workdir)
    seeded = cli("seed", "--per-shape", str(math.ceil(drawings / SHAPES)), "--seed", str(seed),
                 data_dir=data_dir, workdir=workdir)
    print(f"  {drawings}: {seeded.stdout.strip()} in {seeded.seconds:.1f} s", flush=True)
    snapshot = snapshot_everything(data_dir, workdir)
    file = workdir / f"export-{drawings}.jsonl"
    # The export writes `.NAME.partial` and renames it once complete (cli_support.output_file).
    export = cli("dataset", "export", snapshot.id, str(file), data_dir=data_dir, workdir=workdir,
                 watch=file.with_name(f".{file.name}.partial"))
    written = re.search(r"exported (\d+) drawings", export.stdout)
    if not written or int(written[1]) != snapshot.drawings:
        raise RuntimeError(f"export wrote {written and written[1]} of {snapshot.drawings} drawings:\n{export.stdout}")
    fixed = cli("dataset", "list", data_dir=data_dir, workdir=workdir)
    whole = run([sys.executable, "-c", LOAD_WHOLE, str(file)], clean_env(), workdir)
    return Measured(snapshot.drawings, seeded.seconds, file.stat().st_size, export, fixed, whole, snapshot, file)


def table(small: Measured, large: Measured) -> None:
    print()
    print("| drawings | file MB | export s | drawings/s | export peak RSS MB | RSS MB, 1/10 written → last sample "
          "| `dataset list` peak RSS MB | export above it MB | file read whole, peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in (small, large):
        writing = m.export.rss_while_writing(m.file_bytes)
        growth = f"{writing[0]:.1f} → {writing[1]:.1f}" if writing else "—"
        print(f"| {m.drawings:,} | {m.file_bytes / MB:.1f} | {m.export.seconds:.2f} | {m.drawings / m.export.seconds:,.0f} "
              f"| {m.export.peak_rss_mb:.1f} | {growth} | {m.fixed.peak_rss_mb:.1f} "
              f"| {m.export.peak_rss_mb - m.fixed.peak_rss_mb:.1f} | {m.whole.peak_rss_mb:.1f} |")
    above = [m.export.peak_rss_mb - m.fixed.peak_rss_mb for m in (small, large)]
    print()
    print(f"large / small: drawings {large.drawings / small.drawings:.2f}x, file bytes "
          f"{large.file_bytes / small.file_bytes:.2f}x, export seconds {large.export.seconds / small.export.seconds:.2f}x, "
          f"export peak RSS {large.export.peak_rss_mb / small.export.peak_rss_mb:.2f}x "
          f"(above `dataset list`: {above[1]:.1f} MB vs {above[0]:.1f} MB), "
          f"file read whole {large.whole.peak_rss_mb / small.whole.peak_rss_mb:.2f}x")


def round_trip(large: Measured, workdir: Path) -> bool:
    """Import the large export into a fresh stack, snapshot it alike, compare the hashes."""
    data_dir = workdir / "reimported"
    cli("migrate", data_dir=data_dir, workdir=workdir)
    imported = cli("import", str(large.file), data_dir=data_dir, workdir=workdir)
    again = snapshot_everything(data_dir, workdir)
    same = again.content_hash == large.snapshot.content_hash and again.drawings == large.drawings
    print()
    print(f"re-import: {imported.stdout.strip()} in {imported.seconds:.1f} s (peak RSS {imported.peak_rss_mb:.1f} MB)")
    print(f"  exported snapshot:   {large.snapshot.drawings:,} drawings, content hash {large.snapshot.content_hash}")
    print(f"  re-imported snapshot: {again.drawings:,} drawings, content hash {again.content_hash}")
    print(f"  the same content hash: {'yes' if same else 'NO'}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drawings", type=int, default=10_000, help="about how many drawings the large snapshot holds")
    parser.add_argument("--small", type=int, default=1_000, help="about how many the small one holds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not 0 < args.small < args.drawings:
        parser.error("--small must be above 0 and below --drawings")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    with tempfile.TemporaryDirectory(prefix="crowdsketch-dataset-export-") as folder:
        workdir = Path(folder)
        print("seeding and exporting, one process at a time:", flush=True)
        small = measure(args.small, args.seed, workdir)
        large = measure(args.drawings, args.seed, workdir)
        table(small, large)
        same = round_trip(large, workdir)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
