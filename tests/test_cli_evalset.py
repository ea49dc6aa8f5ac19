"""`crowdsketch evalset add|list|score|remove`, run as a user runs them: as processes."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import orjson

from crowdsketch.db.models import Shape
from crowdsketch.resources import Resources
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.cli import run_cli
from tests.support.stacks import Stack, copy_sqlite_template, make_settings

HORIZONTAL = [[[50, 200, 0], [350, 200, 300]]]
VERTICAL = [[[200, 50, 0], [200, 350, 300]]]


def _install_orientation_model(data_dir: Path, onnx_bytes: bytes) -> None:
    """The fixed horizontal/vertical model, active, with its two labels in the catalogue."""
    async def install() -> None:
        stack = Stack("embedded", make_settings(data_dir=data_dir))
        stack.resources = Resources.build(stack.settings)
        try:
            async def shapes(session) -> None:  # type: ignore[no-untyped-def]
                session.add_all(Shape(id=label, name=label.title(), active=False, closed=False, position=90 + i)
                                for i, label in enumerate(("horizontal", "vertical")))

            await stack.stores.db.run(shapes)
            await add_model(stack, onnx_bytes, 1, active=True, notify=False)
        finally:
            await stack.close()
            await stack.resources.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, install()).result()


def test_a_set_is_added_listed_scored_and_removed(tmp_path: Path, sqlite_template: Path, orientation_model: bytes) -> None:
    data_dir = tmp_path / "data"
    copy_sqlite_template(sqlite_template, data_dir)
    _install_orientation_model(data_dir, orientation_model)
    lines = [{"label": "horizontal", "strokes": HORIZONTAL}] * 3 + [{"label": "vertical", "strokes": VERTICAL}] * 2
    lines.append({"label": "vertical", "strokes": HORIZONTAL})  # one the model gets wrong
    good = tmp_path / "orient.jsonl"
    good.write_bytes(b"".join(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE) for line in lines))
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"label": "horizontal", "strokes": [[[1, 2, 0], [3, "x", 5]]]}\n')
    option = ("--data-dir", str(data_dir))

    added = run_cli("evalset", "add", "orient", str(good), *option)
    twice = run_cli("evalset", "add", "orient", str(good), *option)
    refused = run_cli("evalset", "add", "broken", str(bad), *option)
    listed = run_cli("evalset", "list", *option)
    scored = run_cli("evalset", "score", *option)
    unknown_model = run_cli("evalset", "score", "--model", "7", *option)

    assert added.returncode == 0, added.stderr
    assert "added orient: 6 drawings of horizontal, vertical" in added.stdout
    assert twice.returncode == 1 and "'orient' exists" in twice.stderr
    assert refused.returncode == 1 and "lines[1].strokes[0][1][1]" in refused.stderr
    assert listed.returncode == 0 and "orient" in listed.stdout and "6 drawings" in listed.stdout
    assert "broken" not in listed.stdout
    assert scored.returncode == 0, scored.stderr
    assert "model v1 on orient: accuracy 0.8333 (6 drawings)" in scored.stdout
    assert unknown_model.returncode == 1 and "no model version 7" in unknown_model.stderr

    removed = run_cli("evalset", "remove", "orient", *option)
    again = run_cli("evalset", "remove", "orient", *option)

    assert removed.returncode == 0 and "removed orient" in removed.stdout
    assert again.returncode == 1 and "No evaluation set 'orient'" in again.stderr
    assert "no evaluation sets" in run_cli("evalset", "list", *option).stdout
