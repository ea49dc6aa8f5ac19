"""`crowdsketch label-issues scan|list`, run as a user runs them: as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.api.quality.test_label_issue_scan import PER_SHAPE, SHAPES, _crowd
from tests.support.stacks import copy_sqlite_template


def _crowdsketch(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_LOG_JSON": "false"}
    for name in ("DATABASE_URL", "BLOB_URL", "REDIS_URL", "AMQP_URL"):
        env.pop(f"CROWDSKETCH_{name}", None)
    return subprocess.run([sys.executable, "-m", "crowdsketch.cli", *args], capture_output=True, text=True, env=env,
                          check=False)


def test_a_scan_runs_here_and_its_ranking_is_listed(tmp_path: Path, sqlite_template: Path) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    crowd = tmp_path / "crowd.jsonl"
    crowd.write_bytes(_crowd({3, 10, 21}))

    before = _crowdsketch("label-issues", "list", "--data-dir", str(data_dir))
    imported = _crowdsketch("import", str(crowd), "--data-dir", str(data_dir))
    scanned = _crowdsketch("label-issues", "scan", "--folds", "2", "--epochs", "4", "--shapes", ",".join(SHAPES),
                           "--limit", "3", "--data-dir", str(data_dir))
    listed = _crowdsketch("label-issues", "list", "--limit", "5", "--data-dir", str(data_dir))
    bad = _crowdsketch("label-issues", "scan", "--folds", "1", "--data-dir", str(data_dir))

    assert before.returncode == 0 and "no label-issue scan has completed" in before.stdout
    assert imported.returncode == 0, imported.stderr
    assert scanned.returncode == 0, scanned.stderr
    head, *ranked = scanned.stdout.strip().splitlines()
    assert all(line == line.rstrip() for line in scanned.stdout.splitlines())
    assert head.startswith(f"scanned {PER_SHAPE * 2} drawings at ")
    assert len(ranked) == 3
    # Each flipped drawing: labelled one shape, taken for the other.
    assert all(line.split()[1] != line.split()[3] and line.split()[1] in SHAPES for line in ranked), ranked
    assert listed.returncode == 0
    assert listed.stdout.strip().splitlines()[1:4] == ranked
    assert len(listed.stdout.strip().splitlines()) == 6
    assert bad.returncode == 2 and "--folds" in bad.stderr
