"""`crowdsketch export` and `crowdsketch import` on an embedded stack, as a user runs them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from crowdsketch.cli import app
from tests.support.eval_sets import eval_file


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A migrated embedded stack; its `--data-dir` option."""
    for name in ("DATABASE_URL", "BLOB_URL", "REDIS_URL", "AMQP_URL"):
        monkeypatch.delenv(f"CROWDSKETCH_{name}", raising=False)
    monkeypatch.setenv("CROWDSKETCH_ENVIRONMENT", "test")
    monkeypatch.setenv("CROWDSKETCH_BCRYPT_ROUNDS", "4")
    option = ["--data-dir", str(tmp_path / "data")]
    migrated = CliRunner().invoke(app, ["migrate", *option])
    assert migrated.exit_code == 0, migrated.output
    return option


def _labels(path_or_bytes: Path | bytes, key: str) -> Counter[str]:
    raw = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    return Counter(orjson.loads(line)[key] for line in raw.splitlines())


def test_the_quickdraw_sample_goes_in_and_out_in_both_formats(data_dir: list[str], tmp_path: Path) -> None:
    runner = CliRunner()
    sample = eval_file("quickdraw_sample.jsonl")
    in_sample = _labels(sample, "label")

    imported = runner.invoke(app, ["import", str(sample), *data_dir])

    assert imported.exit_code == 0, imported.output
    assert "imported 433, duplicates 0, refused 0 (433 lines)" in imported.stdout
    ndjson, quickdraw = tmp_path / "all.ndjson", tmp_path / "all-quickdraw.ndjson"
    for target, export_format in ((ndjson, "ndjson"), (quickdraw, "quickdraw")):
        exported = runner.invoke(app, ["export", str(target), "--format", export_format, *data_dir])
        assert exported.exit_code == 0, exported.output
        assert f"exported 433 drawings to {target}" in exported.stdout
        assert len(target.read_bytes().splitlines()) == 433
    assert _labels(ndjson, "label") == in_sample
    assert _labels(quickdraw, "word") == in_sample

    again = runner.invoke(app, ["import", str(quickdraw), *data_dir])
    assert again.exit_code == 0, again.output
    assert "imported 0, duplicates 433, refused 0 (433 lines)" in again.stdout


def test_dash_streams_through_stdin_and_stdout_and_filters_apply(data_dir: list[str]) -> None:
    runner = CliRunner()
    sample = eval_file("quickdraw_sample.jsonl").read_bytes()

    imported = runner.invoke(app, ["import", "-", "--source", "quickdraw", *data_dir], input=sample)
    assert imported.exit_code == 0, imported.output
    assert "imported 433" in imported.stdout

    exported = runner.invoke(app, ["export", "-", "--shape", "circle", "--shape", "star", *data_dir])
    assert exported.exit_code == 0, exported.output
    assert _labels(exported.stdout_bytes, "label") == {"circle": 44, "star": 32}
    assert {orjson.loads(line)["source"] for line in exported.stdout_bytes.splitlines()} == {"quickdraw"}
    assert "exported 76 drawings to stdout" in exported.stderr
    assert runner.invoke(app, ["export", "-", "--source", "game", *data_dir]).stdout_bytes == b""


def test_refused_lines_are_listed_and_the_exit_status_is_1(data_dir: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"label": "circle", "strokes": [[[1, 2, 0], [30, 40, 16]]]}\n{oops\n{"label": "blob", "strokes": []}\n')

    result = CliRunner().invoke(app, ["import", str(bad), *data_dir])

    assert result.exit_code == 1
    assert "imported 1, duplicates 0, refused 2 (3 lines)" in result.stdout
    assert "line 2: line: not JSON" in result.stderr
    assert "line 3: label: unknown shape 'blob'" in result.stderr
    unknown = CliRunner().invoke(app, ["export", "-", "--shape", "blob", *data_dir])
    assert unknown.exit_code == 1
    assert "error: shape: unknown shape 'blob'" in unknown.stderr
