from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import orjson
from typer.testing import CliRunner

from crowdsketch.cli import app
from crowdsketch.resources import Resources
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack, copy_sqlite_template, make_settings

ENV = {"CROWDSKETCH_ENVIRONMENT": "test", "CROWDSKETCH_BCRYPT_ROUNDS": "4", "CROWDSKETCH_LOG_JSON": "false"}
HORIZONTAL = [[[50, 200, 0], [350, 200, 300]]]
VERTICAL = [[[200, 50, 0], [200, 350, 300]]]


def _install_model(data_dir: Path, onnx_bytes: bytes) -> None:
    async def install() -> None:
        stack = Stack("embedded", make_settings(data_dir=data_dir))
        stack.resources = Resources.build(stack.settings)
        try:
            await add_model(stack, onnx_bytes, 1, active=True, notify=False)
        finally:
            await stack.resources.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, install()).result()


def test_evaluate_reports_accuracy_recall_and_what_it_could_not_count(
    tmp_path: Path, sqlite_template: Path, orientation_model: bytes
) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    _install_model(data_dir, orientation_model)
    lines = [
        {"label": "horizontal", "strokes": HORIZONTAL},
        {"label": "horizontal", "strokes": HORIZONTAL},
        {"label": "vertical", "strokes": VERTICAL},
        {"label": "vertical", "strokes": HORIZONTAL},  # the model gets this one wrong
        {"label": "circle", "strokes": HORIZONTAL},  # a class the model does not know
    ]
    file = tmp_path / "eval.jsonl"
    file.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b'\n{"label": "vertical"}\n')

    result = CliRunner().invoke(app, ["evaluate", str(file), "--data-dir", str(data_dir)], env=ENV)

    assert result.exit_code == 0, result.output
    assert "accuracy 0.7500 (3/4" in result.output
    assert "horizontal   1.000 (2/2)" in result.output
    assert "vertical     0.500 (1/2)" in result.output
    assert "circle (1)" in result.output
    assert "1 lines refused" in result.output


def test_evaluate_without_a_model_says_so(tmp_path: Path, sqlite_template: Path) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    file = tmp_path / "eval.jsonl"
    file.write_bytes(orjson.dumps({"label": "circle", "strokes": HORIZONTAL}) + b"\n")
    result = CliRunner().invoke(app, ["evaluate", str(file), "--data-dir", str(data_dir)], env=ENV)
    assert result.exit_code == 1
    assert "no active model" in result.output
