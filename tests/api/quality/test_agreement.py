"""Model agreement at submission: the active model judges each drawing as it arrives, its
agreement caps the quality score, and a missing or slow model never costs the drawing."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest

from crowdsketch.synthetic import synthetic_drawing
from tests.api.quality.conftest import SmallModel, serve_model
from tests.support.drawings import circle_strokes, drawing_body, submission_headers
from tests.support.stacks import Stack

# Judging waits as long as a busy test machine may need; the short default is tested apart.
patient_judge = pytest.mark.settings(agreement_timeout_s=30.0)


def _star_body() -> dict:
    data = synthetic_drawing("star", random.Random(2024))  # a star the model never saw
    return {"shapeId": "star", "strokeData": data.model_dump(mode="json")}


@patient_judge
async def test_a_circle_submitted_for_star_has_low_agreement_and_a_low_score(
    admin_client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model, version=3)
    response = await admin_client.post(
        "/api/drawings", json=drawing_body("star", circle_strokes()), headers=submission_headers(shape_id="star")
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["modelAgreement"] < 0.3
    assert body["qualityScore"] <= 0.3
    assert body["modelShape"] == {"id": "circle", "name": "Circle"}
    detail = (await admin_client.get(f"/api/admin/drawings/{body['id']}")).json()
    assert detail["modelAgreement"] == body["modelAgreement"]
    assert detail["modelShape"] == "circle"
    assert detail["modelVersion"] == 3
    assert detail["qualityScore"] == body["qualityScore"]


@patient_judge
async def test_a_fair_star_submitted_for_star_scores_high(
    client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model)
    response = await client.post("/api/drawings", json=_star_body(), headers=submission_headers(shape_id="star"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["modelAgreement"] >= 0.7
    assert body["qualityScore"] >= 0.7
    assert body["modelShape"] == {"id": "star", "name": "Star"}


async def test_without_a_model_agreement_is_null_and_the_drawing_is_stored(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    response = await admin_client.post(
        "/api/drawings", json=drawing_body("star", circle_strokes()), headers=submission_headers(shape_id="star")
    )

    assert response.status_code == 201, response.text
    assert response.json()["modelAgreement"] is None
    assert response.json()["modelShape"] is None
    assert response.json()["qualityScore"] >= 0.9  # geometry alone: a tidy closed outline
    detail = (await admin_client.get(f"/api/admin/drawings/{response.json()['id']}")).json()
    assert (detail["modelAgreement"], detail["modelShape"], detail["modelVersion"]) == (None, None, None)
    assert await stack.drawing_rows() == 1


@patient_judge
async def test_a_shape_the_model_was_not_trained_on_has_null_agreement(
    client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model)
    response = await client.post(
        "/api/drawings", json=drawing_body("hexagon", circle_strokes()), headers=submission_headers(shape_id="hexagon")
    )

    assert response.status_code == 201, response.text
    assert response.json()["modelAgreement"] is None
    assert response.json()["modelShape"] is not None  # the model still says what it sees
    assert response.json()["qualityScore"] >= 0.9


@pytest.mark.settings(agreement_timeout_s=1e-6)
async def test_a_model_slower_than_the_timeout_leaves_agreement_null(
    client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model)
    response = await client.post("/api/drawings", json=_star_body(), headers=submission_headers(shape_id="star"))

    assert response.status_code == 201, response.text
    assert response.json()["modelAgreement"] is None
    assert await stack.drawing_rows() == 1


@patient_judge
async def test_a_replayed_submission_answers_the_first_agreement(
    client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model)
    session_id = str(uuid.uuid4())
    headers = submission_headers(session_id, "star")
    first = await client.post("/api/drawings", json=drawing_body("star", circle_strokes()), headers=headers)
    again = await client.post("/api/drawings", json=drawing_body("star", circle_strokes()), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["modelAgreement"] is not None
    assert await stack.drawing_rows() == 1
