from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest

from crowdsketch.db.models import EvalSet, ModelEvaluation, ModelVersion
from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack

DEFAULT_SHAPES = [
    "circle", "square", "rectangle", "triangle", "diamond", "hexagon",
    "star", "line", "arrow", "check", "cross", "zigzag",
]


async def test_the_catalogue_lists_the_default_shapes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/shapes")
    assert response.status_code == 200
    shapes = response.json()
    assert [s["id"] for s in shapes] == DEFAULT_SHAPES
    assert {s["id"]: s["name"] for s in shapes}["check"] == "Check mark"


async def test_the_next_prompt_is_never_the_same_twice_in_a_row(client: httpx.AsyncClient) -> None:
    session = {"X-Session-Id": str(uuid.uuid4())}
    prompts = [(await client.get("/api/shapes/next", headers=session)).json()["id"] for _ in range(40)]
    assert all(a != b for a, b in zip(prompts, prompts[1:], strict=False)), prompts


async def test_the_next_prompt_favours_the_least_drawn_shapes(client: httpx.AsyncClient) -> None:
    # Every shape but three gets drawings; the prompt must come from those three.
    rare = {"hexagon", "star", "zigzag"}
    for shape in DEFAULT_SHAPES:
        if shape in rare:
            continue
        for _ in range(2):
            response = await client.post("/api/drawings", json=drawing_body(shape), headers=submission_headers(shape_id=shape))
            assert response.status_code == 201
    prompts = set()
    for _ in range(30):
        response = await client.get("/api/shapes/next", headers={"X-Session-Id": str(uuid.uuid4())})
        prompts.add(response.json()["id"])
    assert prompts <= rare, prompts
    assert len(prompts) > 1, "ties among the least drawn should not always go the same way"


async def test_next_prompt_makes_and_returns_a_session_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/shapes/next")
    assert response.status_code == 200
    assert uuid.UUID(response.headers["X-Session-Id"])
    assert set(response.json()) == {"id", "name"}


async def test_the_next_shape_after_a_submission_differs_from_the_one_drawn(client: httpx.AsyncClient) -> None:
    session_id = str(uuid.uuid4())
    for _ in range(10):
        response = await client.post("/api/drawings", json=drawing_body("circle"), headers=submission_headers(session_id))
        assert response.json()["nextShape"]["id"] != "circle"


@pytest.mark.settings(shape_cache_ttl_s=0.0)
async def test_the_next_prompt_also_asks_for_what_the_active_model_gets_wrong(client: httpx.AsyncClient, stack: Stack) -> None:
    # Star is the most drawn shape, so balancing alone never asks for it...
    for _ in range(3):
        response = await client.post("/api/drawings", json=drawing_body("star"), headers=submission_headers(shape_id="star"))
        assert response.status_code == 201

    async def prompts(n: int) -> Counter[str]:
        return Counter([(await client.get("/api/shapes/next")).json()["id"] for _ in range(n)])

    assert (await prompts(60))["star"] == 0
    # ...until the active model, on an evaluation set, names only 2 stars in 10 right.
    async def score(session) -> None:  # type: ignore[no-untyped-def]
        model = ModelVersion(id=uuid.uuid4(), version=1, classes=["circle", "star"], accuracy=0.9, metrics={},
                             dataset_size=10, dataset_hash="0" * 64, blob_prefix="models/x/", active=True,
                             activated_at=datetime.now(UTC))
        eval_set = EvalSet(id=uuid.uuid4(), name="real", drawings=20, shapes=["circle", "star"], blob_key="eval-sets/x")
        session.add_all([model, eval_set])
        await session.flush()
        session.add(ModelEvaluation(model_id=model.id, eval_set_id=eval_set.id, accuracy=0.6, drawings=20, per_class={
            "circle": {"accuracy": 1.0, "drawings": 10}, "star": {"accuracy": 0.2, "drawings": 10}}))

    await stack.stores.db.run(score)
    asked = await prompts(200)
    # About CONFUSED_SHARE of the prompts (30%: 60 of 200) go to the one shape it gets wrong.
    assert 25 <= asked["star"] <= 100, asked


async def test_the_game_learns_whether_to_guess_aloud_and_when_to_upload_directly(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/game/settings")).json() == {"liveGuess": True, "directUploadBytes": 32 * 1024}


@pytest.mark.settings(live_guess=False, direct_upload_bytes=0)
async def test_an_operator_turns_the_live_guess_and_direct_uploads_off(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/game/settings")).json() == {"liveGuess": False, "directUploadBytes": 0}
