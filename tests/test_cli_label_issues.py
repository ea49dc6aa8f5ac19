"""`crowdsketch label-issues scan|list`, run as a user runs them: as processes."""

from __future__ import annotations

from pathlib import Path

from tests.api.quality.test_label_issue_scan import PER_SHAPE, SHAPES, _crowd
from tests.support.cli import run_cli
from tests.support.stacks import copy_sqlite_template


def test_a_scan_runs_here_and_its_ranking_is_listed(tmp_path: Path, sqlite_template: Path) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    crowd = tmp_path / "crowd.jsonl"
    crowd.write_bytes(_crowd({3, 10, 21}))

    before = run_cli("label-issues", "list", "--data-dir", str(data_dir))
    imported = run_cli("import", str(crowd), "--data-dir", str(data_dir))
    scanned = run_cli("label-issues", "scan", "--folds", "2", "--epochs", "4", "--shapes", ",".join(SHAPES),
                           "--limit", "3", "--data-dir", str(data_dir))
    listed = run_cli("label-issues", "list", "--limit", "5", "--data-dir", str(data_dir))
    bad = run_cli("label-issues", "scan", "--folds", "1", "--data-dir", str(data_dir))

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
