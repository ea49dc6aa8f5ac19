from __future__ import annotations

import uuid

import httpx

from tests.support.drawings import drawing_body, submission_headers

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
