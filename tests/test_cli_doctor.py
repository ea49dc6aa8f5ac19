"""`crowdsketch doctor` on an embedded data dir: its exit codes and its JSON."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crowdsketch.cli import app
from crowdsketch.resources import Resources
from tests.support.stacks import copy_sqlite_template, make_settings

ENV = {"CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_LOG_JSON": "false"}


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    copy_sqlite_template(sqlite_template, tmp_path / "data")
    return tmp_path / "data"


def _put_orphan_blob(data_dir: Path) -> str:
    key = f"drawings/circle/{uuid.uuid4()}.json"

    async def put() -> None:
        resources = Resources.build(make_settings(data_dir=data_dir))
        try:
            await resources.blobs.put(key, b'{"strokes": []}')
        finally:
            await resources.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, put()).result()
    return key


def _doctor(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", "--data-dir", str(data_dir), *args], env=ENV)
    return result.exit_code, result.output


def test_doctor_exits_0_on_a_healthy_stack(data_dir: Path) -> None:
    code, output = _doctor(data_dir)
    assert code == 0, output
    assert "healthy" in output


def test_doctor_exits_1_on_problems_and_0_once_repaired(data_dir: Path) -> None:
    orphan = _put_orphan_blob(data_dir)

    found, output = _doctor(data_dir, "--grace", "0")
    assert found == 1, output
    assert "stroke blobs without a drawing row" in output and orphan[:20] in output

    repaired, output = _doctor(data_dir, "--grace", "0", "--repair")
    assert repaired == 0, output
    assert not (data_dir / "blobs" / orphan).exists()
    assert _doctor(data_dir, "--grace", "0")[0] == 0


def test_doctor_leaves_a_blob_younger_than_the_grace_period(data_dir: Path) -> None:
    orphan = _put_orphan_blob(data_dir)

    code, output = _doctor(data_dir, "--repair")

    assert code == 0, output
    assert (data_dir / "blobs" / orphan).exists()


def test_doctor_json_reports_each_kind_and_the_repair(data_dir: Path) -> None:
    orphan = _put_orphan_blob(data_dir)

    code, output = _doctor(data_dir, "--grace", "0", "--json")
    report = json.loads(output)
    assert code == 1
    assert report["healthy"] is False
    assert report["counts"]["orphan_drawing_blob"] == 1
    assert set(report["counts"]) >= {"drawing_without_blob", "orphan_model_blob", "expired_running_job"}
    assert report["problems"] == [{"kind": "orphan_drawing_blob", "subject": orphan, "detail": report["problems"][0]["detail"]}]
    assert "repair" not in report

    code, output = _doctor(data_dir, "--grace", "0", "--json", "--repair")
    repaired = json.loads(output)
    assert code == 0
    assert repaired["repair"]["succeeded"] is True
    assert [(a["subject"], a["outcome"]) for a in repaired["repair"]["actions"]] == [(orphan, "repaired")]
