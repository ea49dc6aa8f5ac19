"""The active model for a browser: its ONNX file (cached by ETag, or for good by version)
and its card; what the browser runs classifies as the server does."""

from __future__ import annotations

import httpx
import numpy as np
import onnxruntime as ort
import pytest

from crowdsketch.raster import RasterSpec, rasterize
from tests.support.drawings import stroke_data
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack
from tests.api.test_inference import HORIZONTAL, VERTICAL, _wait_for_version


async def test_before_any_model_the_file_and_card_are_503(client: httpx.AsyncClient) -> None:
    for path in ("/api/inference/model", "/api/inference/model/card"):
        answer = await client.get(path)
        assert answer.status_code == 503 and answer.json()["error"] == "NO_MODEL_LOADED"


@pytest.mark.settings(model_poll_interval_s=3600)
async def test_the_browser_gets_the_model_the_server_runs(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await add_model(stack, orientation_model, 1, active=True)
    await _wait_for_version(client, 1)

    card = (await client.get("/api/inference/model/card")).json()
    assert (card["version"], card["classes"], card["output"]) == (1, ["horizontal", "vertical"], "logits")
    answer = await client.get("/api/inference/model")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/octet-stream"
    assert answer.content == orientation_model and answer.headers["cache-control"] == "no-cache"
    etag = answer.headers["etag"]
    unchanged = await client.get("/api/inference/model", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    pinned = await client.get("/api/inference/model", params={"version": 1})
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await client.get("/api/inference/model", params={"version": 2})
    assert stale.status_code == 404 and stale.json()["details"][0]["field"] == "version"

    # The file and the card are all it takes to classify as the server does.
    session = ort.InferenceSession(answer.content, providers=["CPUExecutionProvider"])
    spec = RasterSpec.from_dict(card["preprocessing"])
    for strokes in (HORIZONTAL, VERTICAL):
        logits = session.run(None, {card["inputName"]: rasterize(strokes, spec)[np.newaxis, np.newaxis]})[0][0]
        local = card["classes"][int(np.argmax(logits))]
        served = (await client.post("/api/inference/classify", json={"strokeData": stroke_data(strokes)})).json()
        assert local == served["shape"]

    # A new active model: the same URL answers it, under another ETag.
    await add_model(stack, orientation_model, 2, active=True)
    await _wait_for_version_after_poll(client, stack)
    newer = await client.get("/api/inference/model", headers={"If-None-Match": etag})
    assert newer.status_code == 200 and newer.headers["etag"] != etag


async def _wait_for_version_after_poll(client: httpx.AsyncClient, stack: Stack) -> None:
    assert stack.resources is not None
    await stack.resources.models.refresh()
    await _wait_for_version(client, 2)
