from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.drawings import stroke_data
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack
from tests.support.waiting import eventually

HORIZONTAL = [[[50, 200, 0], [350, 200, 300]]]
VERTICAL = [[[200, 50, 0], [200, 350, 300]]]


async def _wait_for_version(client: httpx.AsyncClient, version: int) -> None:
    async def loaded() -> bool:
        response = await client.get("/api/inference/model/info")
        return response.status_code == 200 and response.json()["version"] == version

    await eventually(loaded, f"model {version} loaded", interval_s=0.02)


async def test_before_any_model_inference_answers_503(client: httpx.AsyncClient) -> None:
    info = await client.get("/api/inference/model/info")
    classify = await client.post("/api/inference/classify", json={"strokeData": stroke_data(HORIZONTAL)})
    for response in (info, classify):
        assert response.status_code == 503
        assert response.json()["error"] == "NO_MODEL_LOADED"
        assert response.json()["message"] == "No model loaded"
        assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.settings(model_poll_interval_s=3600)
async def test_an_activation_reaches_inference_through_pub_sub_without_waiting_for_the_poll(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    """With an hour between polls, a second model can only arrive by the notification. (How
    fast it arrives is a figure for bench/, not a limit for a test on a shared machine.)"""
    await add_model(stack, orientation_model, 1, active=True)
    await _wait_for_version(client, 1)  # a first model may also come by the quick first-model poll

    await add_model(stack, orientation_model, 2, active=True)
    await _wait_for_version(client, 2)

    info = (await client.get("/api/inference/model/info")).json()
    assert info["classes"] == ["horizontal", "vertical"]
    assert info["accuracy"] == pytest.approx(0.52)


@pytest.mark.settings(model_poll_interval_s=3600)
async def test_a_new_stacks_first_model_is_found_without_a_notification(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    # The embedded stack's worker is a child process: its in-memory pub/sub never reaches
    # the server, so the first model must be found by looking, and soon.
    await add_model(stack, orientation_model, 1, active=True, notify=False)
    await _wait_for_version(client, 1)


@pytest.mark.settings(model_poll_interval_s=0.2)
async def test_polling_finds_an_activation_whose_message_was_lost(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await add_model(stack, orientation_model, 1, active=True, notify=False)
    await _wait_for_version(client, 1)


async def test_classify_ranks_every_class(client: httpx.AsyncClient, stack: Stack, orientation_model: bytes) -> None:
    await add_model(stack, orientation_model, 1, active=True)
    await _wait_for_version(client, 1)

    for strokes, expected in ((HORIZONTAL, "horizontal"), (VERTICAL, "vertical")):
        response = await client.post("/api/inference/classify", json={"strokeData": stroke_data(strokes)})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["shape"] == expected
        ranked = body["allPredictions"]
        assert [p["shape"] for p in ranked][0] == expected
        assert ranked[0]["confidence"] >= ranked[1]["confidence"]
        assert sum(p["confidence"] for p in ranked) == pytest.approx(1.0, abs=1e-5)
        assert body["confidence"] == ranked[0]["confidence"]
        assert body["modelVersion"] == 1
        assert body["inferenceTimeMs"] >= 0


async def test_classify_refuses_bad_strokes_naming_the_field(client: httpx.AsyncClient) -> None:
    bad = stroke_data([[[0, 0, 10], [5, 5, 5]]])
    response = await client.post("/api/inference/classify", json={"strokeData": bad})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "strokeData.strokes[0][1][2]"


async def test_a_swap_under_load_fails_no_request(client: httpx.AsyncClient, stack: Stack, orientation_model: bytes) -> None:
    await add_model(stack, orientation_model, 1, active=True)
    await _wait_for_version(client, 1)
    versions: list[int] = []

    async def classify_many() -> None:
        for _ in range(60):
            response = await client.post("/api/inference/classify", json={"strokeData": stroke_data(HORIZONTAL)})
            assert response.status_code == 200, response.text
            versions.append(response.json()["modelVersion"])
            await asyncio.sleep(0)

    load = [asyncio.create_task(classify_many()) for _ in range(8)]
    await asyncio.sleep(0.05)
    await add_model(stack, orientation_model, 2, active=True)
    await asyncio.gather(*load)
    await _wait_for_version(client, 2)

    assert len(versions) == 480
    assert set(versions) <= {1, 2}
