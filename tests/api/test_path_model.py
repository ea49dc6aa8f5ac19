"""A job trained on people's drawings makes a model that reads the pen's path beside the
raster; it is scored at job end, served, classifies, and its card tells a browser how to
feed it (tests/e2e/test_browser_model.py runs it in chromium)."""

from __future__ import annotations

import random
from typing import Any

import httpx
import numpy as np
import onnxruntime as ort
import orjson
import pytest

from crowdsketch.pen_path import PathSpec, path_features
from crowdsketch.raster import RasterSpec, rasterize
from crowdsketch.synthetic import synthetic_drawing
from tests.api.admin.test_eval_sets import NDJSON, _add, _job, _worker, labelled_lines
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

SHAPES = ["circle", "triangle"]


def _people(per_shape: int, seed: int) -> bytes:
    """Drawings as an import from four people (`subject`), so validation holds people out."""
    rng = random.Random(seed)
    lines = [
        orjson.dumps({"label": shape, "subject": f"p{i % 4}", **synthetic_drawing(shape, rng).model_dump(mode="json")})
        for i in range(per_shape) for shape in SHAPES
    ]
    return b"\n".join(lines) + b"\n"


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_model_of_peoples_drawings_reads_their_paths_and_serves(
    admin_client: httpx.AsyncClient, client: httpx.AsyncClient, stack: Stack
) -> None:
    assert (await _add(admin_client, "mini", labelled_lines(3, seed=7))).status_code == 201
    imported = await admin_client.post("/api/admin/import", content=_people(12, seed=8), headers=NDJSON)
    assert imported.json()["imported"] == 24, imported.text

    started = await admin_client.post("/api/admin/training/start",
                                      json={"epochs": 2, "shapes": SHAPES, "seed": 1, "includeSynthetic": False})
    assert started.status_code == 201, started.text
    async with _worker(stack):
        job = await eventually(lambda: _job(admin_client, started.json()["id"]), "the training job ends", within_s=JOB_DEADLINE_S)
    assert job["status"] == "completed", job

    [model] = (await admin_client.get("/api/admin/models")).json()
    [evaluation] = model["evaluations"]  # scored through both inputs when the job ended
    assert (evaluation["evalSet"], evaluation["drawings"]) == ("mini", 6)
    stored = orjson.loads(await stack.stores.blobs.get(f"models/{model['id']}/card.json"))
    assert stored["path"] == {"points": 32, "max_points": 128} and stored["path_input"]["name"] == "pen_path"

    async def served_card() -> dict[str, Any]:
        response = await client.get("/api/inference/model/card")
        return response.json() if response.status_code == 200 else {}

    card = await eventually(served_card, "the model is in service")
    assert (card["path"], card["pathInputName"], card["inputName"]) == (stored["path"], "pen_path", "strokes_raster")

    drawing = orjson.loads(_people(1, seed=9).splitlines()[0])
    stroke_data = {key: value for key, value in drawing.items() if key not in ("label", "subject")}
    answer = await client.post("/api/inference/classify", json={"strokeData": stroke_data})
    assert answer.status_code == 200, answer.text
    server = {p["shape"]: p["confidence"] for p in answer.json()["allPredictions"]}

    # What a browser does with the file and the card gives the server's answer.
    session = ort.InferenceSession((await client.get("/api/inference/model")).content, providers=["CPUExecutionProvider"])
    spec, path_spec = RasterSpec.from_dict(card["preprocessing"]), PathSpec.from_dict(card["path"])
    feeds = {card["inputName"]: rasterize(drawing["strokes"], spec)[None, None],
             card["pathInputName"]: path_features(drawing["strokes"], path_spec)[None]}
    logits = session.run(None, feeds)[0][0]
    browser = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert {shape: round(float(p), 4) for shape, p in zip(card["classes"], browser)} == pytest.approx(server, abs=1e-3)
