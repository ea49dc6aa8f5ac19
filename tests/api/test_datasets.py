"""Dataset snapshots on both stacks: frozen against relabels, flags and deletions, trained
from (with the same content hash every time), kept in the blob store while they name a
drawing, and a contributor's withdrawal that reaches into every snapshot."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import orjson
import pytest

from crowdsketch.db.models import TrainingJob
from crowdsketch.doctor import diagnose
from crowdsketch.training.job_snapshot import job_snapshot
from tests.api.admin.test_eval_sets import NDJSON, SHAPES, _job, _worker, labelled_lines
from tests.support.drawings import circle_strokes, drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually


async def _snapshot(client: httpx.AsyncClient, name: str, **selection: Any) -> dict[str, Any]:
    answer = await client.post("/api/admin/datasets", json={"name": name, "filter": selection})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _train(client: httpx.AsyncClient, stack: Stack, config: dict[str, Any]) -> dict[str, Any]:
    started = await client.post("/api/admin/training/start", json=config)
    assert started.status_code == 201, started.text
    async with _worker(stack):
        job = await eventually(lambda: _job(client, started.json()["id"]), "the training job ends", within_s=JOB_DEADLINE_S)
    assert job["status"] == "completed", job
    [model] = [m for m in (await client.get("/api/admin/models")).json() if m["id"] == job["modelId"]]
    return model


async def _card(stack: Stack, model_id: str) -> dict[str, Any]:
    return orjson.loads(await stack.stores.blobs.get(f"models/{model_id}/card.json"))


async def _lines(client: httpx.AsyncClient, dataset_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/api/admin/datasets/{dataset_id}/export")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/x-ndjson")
    return [orjson.loads(line) for line in answer.content.splitlines()]


async def _healthy(stack: Stack) -> None:
    assert stack.resources is not None
    report = await diagnose(stack.resources, 0.0)
    assert report.problems == (), report.problems


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_snapshot_stays_as_it_was_made_and_trains_the_same_every_time(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    imported = await admin_client.post("/api/admin/import", content=labelled_lines(6, seed=11), headers=NDJSON)
    assert imported.json()["imported"] == 12, imported.text
    snapshot = await _snapshot(admin_client, "frozen", shapes=SHAPES)
    assert (snapshot["drawings"], snapshot["perShape"], snapshot["withdrawn"]) == (12, {"circle": 6, "triangle": 6}, 0)
    before = {line["id"]: line for line in await _lines(admin_client, snapshot["id"])}

    # One drawing deleted, one flagged, one relabelled.
    deleted, flagged, relabelled = sorted(before)[:3]
    assert (await admin_client.delete(f"/api/admin/drawings/{deleted}")).status_code == 204
    assert (await admin_client.post(f"/api/admin/drawings/{flagged}/flag", json={"reason": "scribble"})).status_code == 200
    new_label = "triangle" if before[relabelled]["label"] == "circle" else "circle"
    decided = await admin_client.post(f"/api/admin/review/{relabelled}", json={"action": "relabel", "shapeId": new_label})
    assert decided.status_code == 200, decided.text

    # The snapshot is unchanged: the same drawings, labels, strokes and hash. The deleted
    # drawing's strokes are still in the blob store (the snapshot keeps them).
    again = (await admin_client.get(f"/api/admin/datasets/{snapshot['id']}")).json()
    assert (again["drawings"], again["contentHash"]) == (12, snapshot["contentHash"])
    after = {line["id"]: line for line in await _lines(admin_client, snapshot["id"])}
    assert {i: (line["label"], line["strokes"]) for i, line in after.items()} == {
        i: (line["label"], line["strokes"]) for i, line in before.items()}
    assert any(deleted in key for key in await stack.drawing_blob_keys())
    await _healthy(stack)

    # Two trainings from it with one seed see the same training set, relabel and all.
    first = await _train(admin_client, stack, {"epochs": 1, "seed": 3, "datasetId": snapshot["id"]})
    second = await _train(admin_client, stack, {"epochs": 1, "seed": 3, "datasetId": snapshot["id"]})
    for model in (first, second):
        assert (model["datasetId"], model["datasetName"]) == (snapshot["id"], "frozen")
        assert (model["datasetSize"], model["datasetHash"]) == (12, snapshot["contentHash"])
        card = await _card(stack, model["id"])
        assert set(card["drawing_ids"]) == set(before)
        assert card["dataset"] == {"id": snapshot["id"], "name": "frozen", "contentHash": snapshot["contentHash"]}
    listed = (await admin_client.get("/api/admin/datasets")).json()
    assert [m["version"] for m in next(d for d in listed if d["id"] == snapshot["id"])["models"]] == sorted(
        [first["version"], second["version"]])

    # Deleting it is refused while models name it, unless forced; then the strokes it
    # alone kept go, and the stores still agree.
    refused = await admin_client.delete(f"/api/admin/datasets/{snapshot['id']}")
    assert refused.status_code == 409 and refused.json()["error"] == "DATASET_IN_USE"
    assert refused.json()["details"][0]["models"] == sorted([first["version"], second["version"]])
    forced = await admin_client.delete(f"/api/admin/datasets/{snapshot['id']}", params={"force": "true"})
    assert forced.status_code == 204
    assert not any(deleted in key for key in await stack.drawing_blob_keys())
    assert all(m["datasetId"] is None for m in (await admin_client.get("/api/admin/models")).json())
    await _healthy(stack)


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_job_without_a_snapshot_freezes_its_own_and_names_it(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    await admin_client.post("/api/admin/import", content=labelled_lines(4, seed=12), headers=NDJSON)
    model = await _train(admin_client, stack, {"epochs": 1, "seed": 1, "shapes": SHAPES, "includeSynthetic": False})
    [implicit] = (await admin_client.get("/api/admin/datasets")).json()
    assert implicit["implicit"] is True and implicit["name"].startswith("job ")
    assert implicit["filter"] == {"shapes": SHAPES, "minQuality": 0.0, "includeSynthetic": False, "includeFlagged": False}
    assert (model["datasetId"], model["datasetHash"], implicit["drawings"]) == (implicit["id"], implicit["contentHash"], 8)


async def test_bad_snapshots_and_trainings_name_the_field_at_fault(admin_client: httpx.AsyncClient) -> None:
    await admin_client.post("/api/admin/import", content=labelled_lines(2, seed=13), headers=NDJSON)
    await _snapshot(admin_client, "taken", shapes=SHAPES)
    cases = [
        ({"name": "taken", "filter": {}}, 409, "DATASET_NAME_TAKEN", "name"),
        ({"name": "empty", "filter": {"sources": ["game"]}}, 400, "VALIDATION_ERROR", "filter"),
        ({"name": "bad", "filter": {"minQuality": 2}}, 400, "VALIDATION_ERROR", "filter.minQuality"),
        ({"name": "/etc", "filter": {}}, 400, "VALIDATION_ERROR", "name"),
    ]
    for body, status, code, field in cases:
        answer = await admin_client.post("/api/admin/datasets", json=body)
        assert (answer.status_code, answer.json()["error"], answer.json()["details"][0]["field"]) == (status, code, field)
    assert [d["name"] for d in (await admin_client.get("/api/admin/datasets")).json()] == ["taken"]

    for config in ({"epochs": 1, "datasetId": str(uuid.uuid4())}, {"epochs": 1, "datasetId": str(uuid.uuid4()), "shapes": SHAPES}):
        answer = await admin_client.post("/api/admin/training/start", json=config)
        assert answer.status_code == 400 and answer.json()["details"][0]["field"] == "datasetId", answer.text
    assert (await admin_client.get(f"/api/admin/datasets/{uuid.uuid4()}")).status_code == 404


async def test_a_withdrawal_leaves_every_snapshot_and_the_stores_agree(
    admin_client: httpx.AsyncClient, client: httpx.AsyncClient, stack: Stack
) -> None:
    me, other = uuid.uuid4().hex, uuid.uuid4().hex
    mine = [await _draw(client, me, "circle", circle_strokes(200, 200, 60 + 10 * i)) for i in range(3)]
    await _draw(client, other, "square", square_strokes())
    first = await _snapshot(admin_client, "crowd", sources=["game"])
    second = await _snapshot(admin_client, "circles", sources=["game"], shapes=["circle", "square"])
    # An admin deleted one of my drawings since: the snapshots kept its strokes.
    assert (await admin_client.delete(f"/api/admin/drawings/{mine[0]}")).status_code == 204
    assert any(mine[0] in key for key in await stack.drawing_blob_keys())

    withdrawn = await client.delete("/api/contributors/me", headers={"X-Session-Id": me})
    assert withdrawn.json() == {"drawings": 2, "votes": 0, "snapshots": 2}

    keys = await stack.drawing_blob_keys()
    assert not any(drawing in key for key in keys for drawing in mine)
    for snapshot in (first, second):
        now = (await admin_client.get(f"/api/admin/datasets/{snapshot['id']}")).json()
        assert (now["drawings"], now["withdrawn"], now["perShape"]) == (1, 3, {"square": 1})
        [change] = now["datasheet"]["history"]
        assert (change["withdrawn"], change["previousHash"], change["contentHash"]) == (
            3, snapshot["contentHash"], now["contentHash"])
        assert now["contentHash"] != snapshot["contentHash"]
        assert [line["label"] for line in await _lines(admin_client, snapshot["id"])] == ["square"]
    sheet = await admin_client.get(f"/api/admin/datasets/{first['id']}/datasheet")
    assert sheet.headers["content-type"].startswith("text/markdown")
    assert "3 drawings withdrawn by their contributors" in sheet.text and "CC BY 4.0" in sheet.text
    await _healthy(stack)


async def _draw(client: httpx.AsyncClient, session_id: str, shape: str, strokes: list) -> str:
    answer = await client.post("/api/drawings", json=drawing_body(shape, strokes),
                               headers=submission_headers(session_id, shape))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_two_attempts_at_one_job_at_once_freeze_one_snapshot(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    """A redelivered job taken by a second worker while the first still runs: both train from
    the one snapshot the first of them froze, and neither fails on its name."""
    await admin_client.post("/api/admin/import", content=labelled_lines(4, seed=13), headers=NDJSON)
    started = await admin_client.post("/api/admin/training/start",
                                      json={"epochs": 1, "seed": 2, "shapes": SHAPES, "includeSynthetic": False})
    assert started.status_code == 201, started.text
    resources = stack.resources
    assert resources is not None
    job = await resources.db.run(lambda session: session.get(TrainingJob, uuid.UUID(started.json()["id"])), write=False)

    first, second = await asyncio.gather(job_snapshot(resources, job), job_snapshot(resources, job))

    assert first.id == second.id and first.content_hash == second.content_hash
    [snapshot] = (await admin_client.get("/api/admin/datasets")).json()
    assert snapshot["id"] == str(first.id) and snapshot["name"] == f"job {job.id}"
