"""Writing a vectors file: what tests/vectors/make_*_vectors.py share.

A vectors file pins a preprocessing function of `crowdsketch` on fixed drawings, so that a
port (the browser's) can be checked against it: `{about, spec, tolerance, vectors: [{name,
strokes, expected}]}`, with the expected values rounded to `digits`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def write_vectors(name: str, about: str, spec: Any, tolerance: float, digits: int,
                  compute: Callable[[Any], np.ndarray], drawings: Mapping[str, Any]) -> None:
    """`tests/vectors/<name>.json`: `compute(strokes)` of each drawing, a row a list."""
    vectors = [
        {"name": key, "strokes": strokes, "expected": [[round(float(v), digits) for v in row] for row in compute(strokes)]}
        for key, strokes in drawings.items()
    ]
    document = {"about": about, "spec": spec.to_dict(), "tolerance": tolerance, "vectors": vectors}
    (HERE / f"{name}.json").write_text(json.dumps(document, separators=(",", ":")) + "\n")
