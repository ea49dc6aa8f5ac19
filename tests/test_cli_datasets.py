"""`crowdsketch dataset create|list|export`, run as a user runs them: as processes. An
exported snapshot imported into another stack gives the same content hash."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from tests.support.cli import run_cli
from tests.support.stacks import copy_sqlite_template

HASH = re.compile(r"content hash ([0-9a-f]{64})")


def _created(answer) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert answer.returncode == 0, answer.stdout + answer.stderr
    snapshot = re.search(r"snapshot ([0-9a-f-]{36}) ", answer.stdout)
    digest = HASH.search(answer.stdout)
    assert snapshot and digest, answer.stdout
    return snapshot.group(1), digest.group(1)


def test_a_snapshot_is_made_listed_exported_with_its_datasheet_and_reimported_to_the_same_hash(
    tmp_path: Path, sqlite_template: Path
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    for data_dir in (here, there):
        copy_sqlite_template(sqlite_template, data_dir)
    assert run_cli("seed", "--per-shape", "5", "--seed", "3", "--data-dir", str(here)).returncode == 0

    made = run_cli("dataset", "create", "spring set", "--shapes", "circle,square", "--data-dir", str(here))
    dataset_id, digest = _created(made)
    assert "10 drawings (circle 5, square 5)" in made.stdout
    listed = run_cli("dataset", "list", "--data-dir", str(here))
    assert dataset_id in listed.stdout and "spring set" in listed.stdout and "no model" in listed.stdout

    out = tmp_path / "spring.jsonl"
    exported = run_cli("dataset", "export", dataset_id, str(out), "--data-dir", str(here))
    assert exported.returncode == 0, exported.stderr
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert sorted(line["label"] for line in lines) == ["circle"] * 5 + ["square"] * 5
    sheet = (tmp_path / "spring.datasheet.md").read_text()
    assert "# Datasheet: spring set" in sheet and digest in sheet and "| synthetic | 10 |" in sheet

    # The same drawings, imported into another stack, make a snapshot with the same hash.
    assert run_cli("import", str(out), "--data-dir", str(there)).returncode == 0
    _, again = _created(run_cli("dataset", "create", "copy", "--shapes", "circle,square", "--data-dir", str(there)))
    assert again == digest


def test_mistakes_are_told_with_the_argument_at_fault(tmp_path: Path, sqlite_template: Path) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    empty = run_cli("dataset", "create", "nothing", "--data-dir", str(data_dir))
    assert empty.returncode == 1 and "no drawings match the filter" in empty.stderr
    bad_name = run_cli("dataset", "create", "a/b", "--data-dir", str(data_dir))
    assert bad_name.returncode == 2 and "NAME" in bad_name.stderr
    bad_quality = run_cli("dataset", "create", "x", "--min-quality", "2", "--data-dir", str(data_dir))
    assert bad_quality.returncode == 2 and "--min-quality" in bad_quality.stderr
    missing = run_cli("dataset", "export", "00000000-0000-0000-0000-000000000000", str(tmp_path / "x.jsonl"),
                      "--data-dir", str(data_dir))
    assert missing.returncode == 1 and "no snapshot" in missing.stderr
    assert not (tmp_path / "x.jsonl").exists()
