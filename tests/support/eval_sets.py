"""The shared evaluation sets (../shared/eval beside the repository), for tests that import
real drawings."""

from __future__ import annotations

from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"


def eval_file(name: str) -> Path:
    path = EVAL_DIR / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the evaluation sets are expected in shared/eval beside the repository")
    return path
