"""Curators change the catalogue; the game follows at once."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.admin.seed import drawing_row, insert_drawings
from tests.support.drawings import drawing_body, submission_headers
from tests.support.stacks import Stack

# A catalogue cache far longer than a test: the game can only see a change at once if the
# admin routes invalidate it.
LONG_CACHE = pytest.mark.settings(shape_cache_ttl_s=3600)


async def _submit(client: httpx.AsyncClient, shape: str) -> httpx.Response:
    return await client.post("/api/drawings", json=drawing_body(shape), headers=submission_headers(shape_id=shape))


async def _prompts(client: httpx.AsyncClient, count: int = 30) -> set[str]:
    prompts = set()
    for _ in range(count):
        response = await client.get("/api/shapes/next", headers={"X-Session-Id": str(uuid.uuid4())})
        assert response.status_code == 200, response.text
        prompts.add(response.json()["id"])
    return prompts


async def _prompted_within(client: httpx.AsyncClient, shape_id: str, attempts: int) -> bool:
    """Prompts are drawn at random among the least drawn shapes: ask until it comes."""
    for _ in range(attempts):
        response = await client.get("/api/shapes/next", headers={"X-Session-Id": str(uuid.uuid4())})
        if response.json()["id"] == shape_id:
            return True
    return False


async def _game_shapes(client: httpx.AsyncClient) -> dict[str, str]:
    return {s["id"]: s["name"] for s in (await client.get("/api/shapes")).json()}


async def test_the_admin_list_has_every_shape_with_its_counts(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    await insert_drawings(stack, [
        drawing_row(shape_id="arrow"), drawing_row(shape_id="arrow", flagged=True, flag_reason="a line"),
        drawing_row(shape_id="cross"),
    ], blobs=False)
    assert (await admin_client.patch("/api/admin/shapes/zigzag", json={"active": False})).status_code == 200

    response = await admin_client.get("/api/admin/shapes")

    assert response.status_code == 200
    shapes = response.json()
    assert [s["id"] for s in shapes][:3] == ["circle", "square", "rectangle"]
    by_id = {s["id"]: s for s in shapes}
    assert len(by_id) == 12
    assert (by_id["arrow"]["total"], by_id["arrow"]["unflagged"]) == (2, 1)
    assert (by_id["cross"]["total"], by_id["circle"]["total"]) == (1, 0)
    assert by_id["zigzag"]["active"] is False and by_id["check"]["name"] == "Check mark"
    assert by_id["line"]["closed"] is False and by_id["circle"]["closed"] is True


@LONG_CACHE
async def test_a_new_shape_is_listed_prompted_and_accepted(admin_client: httpx.AsyncClient) -> None:
    assert "heart" not in await _game_shapes(admin_client)  # the game's cache is now loaded

    response = await admin_client.post("/api/admin/shapes", json={"id": "heart", "name": "Heart", "closed": True})

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "closed", "active", "total", "unflagged")} == {
        "id": "heart", "name": "Heart", "closed": True, "active": True, "total": 0, "unflagged": 0
    }
    assert [s["id"] for s in (await admin_client.get("/api/admin/shapes")).json()][-1] == "heart"
    assert (await _game_shapes(admin_client))["heart"] == "Heart"
    assert await _prompted_within(admin_client, "heart", 200)
    assert (await _submit(admin_client, "heart")).status_code == 201
    [entry] = (await admin_client.get("/api/admin/audit", params={"action": "shape.create"})).json()["items"]
    assert entry["targetId"] == "heart" and entry["details"] == {"name": "Heart", "closed": True, "active": True}


async def test_a_shape_id_is_a_slug_and_unique(admin_client: httpx.AsyncClient) -> None:
    for shape_id in ("Heart", "h", "9lives", "heart shape", "a" * 41, ""):
        response = await admin_client.post("/api/admin/shapes", json={"id": shape_id, "name": "X"})
        assert response.status_code == 400, (shape_id, response.text)
        assert response.json()["details"][0]["field"] == "id"
    for body, field in (({"id": "heart"}, "name"), ({"id": "heart", "name": ""}, "name"),
                        ({"id": "heart", "name": "Heart", "colour": "red"}, "colour")):
        response = await admin_client.post("/api/admin/shapes", json=body)
        assert response.status_code == 400 and response.json()["details"][0]["field"] == field, body

    response = await admin_client.post("/api/admin/shapes", json={"id": "circle", "name": "Another circle"})
    assert response.status_code == 409
    assert response.json()["error"] == "CONFLICT" and response.json()["details"][0]["field"] == "id"
    assert (await _game_shapes(admin_client))["circle"] == "Circle"


@LONG_CACHE
async def test_a_rename_shows_in_the_game_at_once_and_is_audited(admin_client: httpx.AsyncClient) -> None:
    assert (await _game_shapes(admin_client))["check"] == "Check mark"

    response = await admin_client.patch("/api/admin/shapes/check", json={"name": "Tick"})

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Tick" and response.json()["active"] is True
    assert (await _game_shapes(admin_client))["check"] == "Tick"
    [entry] = (await admin_client.get("/api/admin/audit", params={"action": "shape.update"})).json()["items"]
    assert entry["targetId"] == "check" and entry["details"] == {"changes": {"name": ["Check mark", "Tick"]}}


@LONG_CACHE
async def test_a_deactivated_shape_is_neither_listed_prompted_nor_accepted(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    assert (await _submit(admin_client, "circle")).status_code == 201
    keep = {"circle", "square"}
    for shape_id in set(await _game_shapes(admin_client)) - keep:
        assert (await admin_client.patch(f"/api/admin/shapes/{shape_id}", json={"active": False})).status_code == 200
    assert await _prompts(admin_client) == keep

    response = await admin_client.patch("/api/admin/shapes/circle", json={"active": False})

    assert response.status_code == 200 and response.json()["active"] is False
    assert response.json()["total"] == 1, "a deactivated shape keeps its drawings"
    assert set(await _game_shapes(admin_client)) == {"square"}
    assert await _prompts(admin_client) == {"square"}
    refused = await _submit(admin_client, "circle")
    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "shapeId"
    assert await stack.drawing_rows() == 1

    assert (await admin_client.patch("/api/admin/shapes/circle", json={"active": True})).status_code == 200
    assert (await _submit(admin_client, "circle")).status_code == 201


async def test_the_last_active_shape_cannot_be_deactivated(admin_client: httpx.AsyncClient) -> None:
    for shape_id in list(await _game_shapes(admin_client))[1:]:
        assert (await admin_client.patch(f"/api/admin/shapes/{shape_id}", json={"active": False})).status_code == 200
    response = await admin_client.patch("/api/admin/shapes/circle", json={"active": False})
    assert response.status_code == 409
    assert response.json()["details"][0]["field"] == "active"
    assert await _prompts(admin_client, 3) == {"circle"}


async def test_a_patch_names_an_existing_shape_and_real_values(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.patch("/api/admin/shapes/unicorn", json={"name": "Unicorn"})
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"
    for body, field in (({"name": None}, "name"), ({"active": None}, "active"), ({"name": ""}, "name"),
                        ({"active": "sometimes"}, "active"), ({"id": "circle2"}, "id")):
        response = await admin_client.patch("/api/admin/shapes/circle", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["details"][0]["field"] == field, body
    unchanged = await admin_client.patch("/api/admin/shapes/circle", json={})
    assert unchanged.status_code == 200 and unchanged.json()["name"] == "Circle"
    assert (await admin_client.get("/api/admin/audit", params={"action": "shape.update"})).json()["items"] == []


async def test_a_shape_moves_in_the_list_by_its_position(admin_client: httpx.AsyncClient) -> None:
    before = [shape["id"] for shape in (await admin_client.get("/api/admin/shapes")).json()]
    last = before[-1]
    moved = await admin_client.patch(f"/api/admin/shapes/{last}", json={"position": 0})
    assert moved.status_code == 200 and moved.json()["position"] == 0, moved.text
    after = [shape["id"] for shape in (await admin_client.get("/api/admin/shapes")).json()]
    assert after.index(last) < before.index(last)
    for bad in (-1, "2", None):
        refused = await admin_client.patch(f"/api/admin/shapes/{last}", json={"position": bad})
        assert refused.status_code == 400 and refused.json()["details"][0]["field"] == "position", bad
