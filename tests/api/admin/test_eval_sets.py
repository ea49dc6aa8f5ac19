"""Evaluation sets: admins register real drawings that no model trains on, every model
trained afterwards is scored on them when its job ends, and any model can be re-scored."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest

from crowdsketch.synthetic import synthetic_drawing
from crowdsketch.training.bootstrap import seed_synthetic
from crowdsketch.training.worker import TrainingWorker
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

SHAPES = ["circle", "triangle"]
NDJSON = {"Content-Type": "application/x-ndjson"}


def labelled_lines(per_shape: int, seed: int) -> bytes:
    """Drawings as the project's JSON Lines, `per_shape` of each of SHAPES."""
    rng = random.Random(seed)
    lines = [
        orjson.dumps({"label": shape, **synthetic_drawing(shape, rng).model_dump(mode="json")})
        for _ in range(per_shape) for shape in SHAPES
    ]
    return b"\n".join(lines) + b"\n"


async def _add(client: httpx.AsyncClient, name: str, body: bytes) -> httpx.Response:
    return await client.post("/api/admin/eval-sets", params={"name": name}, content=body, headers=NDJSON)


async def _job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    job = (await client.get(f"/api/admin/training/jobs/{job_id}")).json()
    return job if job["status"] in ("completed", "failed", "cancelled") else {}


@asynccontextmanager
async def _worker(stack: Stack) -> AsyncIterator[None]:
    assert stack.resources is not None
    task = asyncio.create_task(TrainingWorker(stack.resources).run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _audit(client: httpx.AsyncClient, action: str) -> list[dict[str, Any]]:
    return (await client.get("/api/admin/audit", params={"action": action})).json()["items"]


async def test_a_set_is_registered_listed_refused_twice_and_removed(admin_client: httpx.AsyncClient) -> None:
    added = await _add(admin_client, "mini", labelled_lines(3, seed=1))
    again = await _add(admin_client, "mini", labelled_lines(2, seed=2))
    listed = await admin_client.get("/api/admin/eval-sets")

    assert added.status_code == 201, added.text
    assert added.json()["name"] == "mini" and added.json()["drawings"] == 6
    assert again.status_code == 409
    assert again.json()["details"] == [{"field": "name", "message": "already registered"}]
    [item] = listed.json()
    assert {key: item[key] for key in ("name", "drawings", "shapes")} == {"name": "mini", "drawings": 6, "shapes": SHAPES}
    assert item["createdAt"]
    assert [entry["targetId"] for entry in await _audit(admin_client, "evalset.add")] == ["mini"]

    removed = await admin_client.delete("/api/admin/eval-sets/mini")
    gone = await admin_client.delete("/api/admin/eval-sets/mini")

    assert removed.status_code == 204
    assert gone.status_code == 404
    assert (await admin_client.get("/api/admin/eval-sets")).json() == []
    assert [entry["targetId"] for entry in await _audit(admin_client, "evalset.remove")] == ["mini"]


async def test_bad_input_is_refused_with_the_field_at_fault(admin_client: httpx.AsyncClient) -> None:
    good = labelled_lines(1, seed=1)
    bad_line = good + b'{"label": "circle", "strokes": [[[1, 2, 0], [3, "x", 5]]]}\n{"label": "unicorn", "strokes": [[[1, 2, 0]]]}\n'

    bad_name = await _add(admin_client, "Not A Name", good)
    no_name = await admin_client.post("/api/admin/eval-sets", content=good, headers=NDJSON)
    bad_lines = await _add(admin_client, "mini", bad_line)
    empty = await _add(admin_client, "mini", b"\n\n")

    assert bad_name.status_code == 400 and bad_name.json()["details"][0]["field"] == "name"
    assert no_name.status_code == 400 and no_name.json()["details"][0]["field"] == "query.name"
    assert bad_lines.status_code == 400
    assert [d["field"] for d in bad_lines.json()["details"]] == ["lines[3].strokes[0][1][1]", "lines[4].label"]
    assert empty.status_code == 400 and empty.json()["details"][0]["field"] == "body"
    assert (await admin_client.get("/api/admin/eval-sets")).json() == []


async def test_the_routes_need_an_admin_and_mutations_a_csrf_token(client: httpx.AsyncClient, admin_client: httpx.AsyncClient) -> None:
    token = admin_client.headers.pop("X-CSRF-Token")
    without_token = await _add(admin_client, "mini", labelled_lines(1, seed=1))
    rescore_without_token = await admin_client.post(f"/api/admin/models/{'0' * 8}-0000-0000-0000-{'0' * 12}/evaluate")
    admin_client.headers["X-CSRF-Token"] = token
    unknown_model = await admin_client.post(f"/api/admin/models/{'0' * 8}-0000-0000-0000-{'0' * 12}/evaluate")
    admin_client.cookies.clear()
    anonymous = [
        await client.get("/api/admin/eval-sets"),
        await _add(client, "mini", labelled_lines(1, seed=1)),
        await client.delete("/api/admin/eval-sets/mini"),
    ]

    assert without_token.status_code == 403
    assert rescore_without_token.status_code == 403
    assert unknown_model.status_code == 404
    assert [response.status_code for response in anonymous] == [401, 401, 401]


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_finished_job_is_scored_on_every_set_and_the_set_never_trains(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    held_out = labelled_lines(6, seed=101)
    assert (await _add(admin_client, "mini", held_out)).status_code == 201
    # The same drawings come back as crowd data: they must stay out of training all the same.
    reimported = await admin_client.post("/api/admin/import", content=held_out, headers=NDJSON)
    assert reimported.json()["imported"] == 12, reimported.text
    await seed_synthetic(stack.stores, per_shape=10, seed=3)

    started = await admin_client.post("/api/admin/training/start", json={"epochs": 1, "shapes": SHAPES, "seed": 1})
    assert started.status_code == 201, started.text
    async with _worker(stack):
        job = await eventually(lambda: _job(admin_client, started.json()["id"]), "the training job ends", within_s=JOB_DEADLINE_S)

    assert job["status"] == "completed", job
    [model] = (await admin_client.get("/api/admin/models")).json()
    assert model["datasetSize"] == 20  # the seeded drawings, not the re-imported ones
    [evaluation] = model["evaluations"]
    assert evaluation["evalSet"] == "mini" and evaluation["drawings"] == 12
    assert 0.0 <= evaluation["accuracy"] <= 1.0
    assert {label: score["drawings"] for label, score in evaluation["perClass"].items()} == {"circle": 6, "triangle": 6}
    card = orjson.loads(await stack.stores.blobs.get(f"models/{model['id']}/card.json"))
    assert card["excluded"] == {"evalSets": ["mini"], "drawings": 12}
    assert [e["evalSet"] for e in card["evaluations"]] == ["mini"]

    async def info_with_evaluations() -> dict[str, Any]:
        response = await admin_client.get("/api/inference/model/info")
        return response.json() if response.status_code == 200 else {}

    info = await eventually(info_with_evaluations, "the model is in service")
    assert [(e["evalSet"], e["accuracy"]) for e in info["evaluations"]] == [("mini", evaluation["accuracy"])]

    # A set registered after the model was trained: re-scoring the old model adds it.
    assert (await _add(admin_client, "later", labelled_lines(4, seed=202))).status_code == 201
    first = await admin_client.post(f"/api/admin/models/{model['id']}/evaluate")
    second = await admin_client.post(f"/api/admin/models/{model['id']}/evaluate")
    assert first.status_code == 201, first.text
    assert first.json()["kind"] == "evaluate" and first.json()["config"] == {"modelId": model["id"]}
    assert (second.status_code, second.json()["id"]) == (200, first.json()["id"])
    async with _worker(stack):
        rescored = await eventually(lambda: _job(admin_client, first.json()["id"]), "the re-scoring ends")

    assert rescored["status"] == "completed" and rescored["modelId"] == model["id"], rescored
    [model] = (await admin_client.get("/api/admin/models")).json()
    assert [(e["evalSet"], e["drawings"]) for e in model["evaluations"]] == [("later", 8), ("mini", 12)]
    card = orjson.loads(await stack.stores.blobs.get(f"models/{model['id']}/card.json"))
    assert [e["evalSet"] for e in card["evaluations"]] == ["later", "mini"]
    evaluate_jobs = (await admin_client.get("/api/admin/training/jobs", params={"kind": "evaluate"})).json()["items"]
    training_jobs = (await admin_client.get("/api/admin/training/jobs")).json()["items"]
    assert [j["id"] for j in evaluate_jobs] == [first.json()["id"]]
    assert [j["id"] for j in training_jobs] == [started.json()["id"]]

    assert (await admin_client.delete("/api/admin/eval-sets/later")).status_code == 204
    [model] = (await admin_client.get("/api/admin/models")).json()
    assert [e["evalSet"] for e in model["evaluations"]] == ["mini"]
