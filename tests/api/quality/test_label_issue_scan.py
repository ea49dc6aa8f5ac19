"""Label-issue scans: an admin starts one, a worker ranks the drawings by how likely their
label is wrong, and the latest ranking is read back, most suspicious first."""

from __future__ import annotations

import random

import httpx
import orjson
import pytest

from crowdsketch.synthetic import synthetic_drawing
from tests.api.admin.test_eval_sets import NDJSON, _job, _worker
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

SHAPES = ["circle", "line"]
PER_SHAPE = 16
SCAN = {"folds": 2, "epochs": 4, "shapes": SHAPES}


def _crowd(flipped: set[int], seed: int = 3) -> bytes:
    """Drawings of SHAPES as a crowd import; the ones at `flipped` carry the other label."""
    rng = random.Random(seed)
    lines = []
    for i in range(PER_SHAPE * len(SHAPES)):
        shape = SHAPES[i % len(SHAPES)]
        label = SHAPES[(i + 1) % len(SHAPES)] if i in flipped else shape
        data = synthetic_drawing(shape, rng).model_dump(mode="json")
        lines.append(orjson.dumps({"label": label, "sessionId": f"writer{i % 4}", **data, "note": i}))
    return b"\n".join(lines) + b"\n"


async def test_no_scan_yet_is_an_empty_ranking(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.get("/api/admin/label-issues", params={"limit": 5})
    assert response.status_code == 200
    assert response.json() == {"items": [], "scannedAt": None, "drawings": 0}


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_a_scan_ranks_the_flipped_labels_first(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    flipped = {3, 10, 21}
    imported = await admin_client.post("/api/admin/import", content=_crowd(flipped), headers=NDJSON)
    assert imported.status_code == 200 and imported.json()["imported"] == PER_SHAPE * 2, imported.text
    listed = (await admin_client.get("/api/admin/drawings", params={"limit": 100, "source": "import"})).json()["items"]
    assert len(listed) == PER_SHAPE * 2

    started = await admin_client.post("/api/admin/label-issues/scan", json=SCAN)
    again = await admin_client.post("/api/admin/label-issues/scan", json=SCAN)
    assert started.status_code == 201, started.text
    assert started.json()["kind"] == "label_issues"
    assert again.status_code == 200 and again.json()["id"] == started.json()["id"]
    async with _worker(stack):
        job = await eventually(lambda: _job(admin_client, started.json()["id"]), "the scan ends", within_s=JOB_DEADLINE_S)
    assert job["status"] == "completed", job

    page = (await admin_client.get("/api/admin/label-issues", params={"limit": 3})).json()
    assert page["drawings"] == PER_SHAPE * 2 and page["scannedAt"]
    assert len(page["items"]) == 3
    # The three flipped drawings are the three most suspicious, each told its real shape.
    wrong = {}
    for item in page["items"]:
        detail = (await admin_client.get(f"/api/admin/drawings/{item['drawingId']}")).json()
        wrong[item["drawingId"]] = (item["givenShape"], item["suggestedShape"], detail["shape"]["id"])
    assert all(given == shape != suggested for given, suggested, shape in wrong.values()), wrong
    scores = [item["score"] for item in page["items"]]
    assert all(0 <= score < 0.5 for score in scores)
    # And the review queue holds them, with the scan's reason.
    queue = (await admin_client.get("/api/admin/review", params={"limit": 10})).json()
    reasons = {item["drawingId"]: item["reasons"]["labelIssue"] for item in queue["items"]}
    assert set(wrong) <= set(reasons)
    assert all(reasons[d]["suggestedShape"]["id"] == wrong[d][1] for d in wrong)
    audit = (await admin_client.get("/api/admin/audit", params={"action": "label_issues.scan"})).json()["items"]
    assert [entry["targetId"] for entry in audit] == [started.json()["id"]]


async def test_a_bad_scan_config_names_the_field(admin_client: httpx.AsyncClient) -> None:
    folds = await admin_client.post("/api/admin/label-issues/scan", json={"folds": 1})
    shape = await admin_client.post("/api/admin/label-issues/scan", json={"shapes": ["circle", "blob"]})
    extra = await admin_client.post("/api/admin/label-issues/scan", json={"epoch": 3})
    assert [r.status_code for r in (folds, shape, extra)] == [400, 400, 400]
    assert [d["field"] for d in folds.json()["details"]] == ["folds"]
    assert [d["field"] for d in shape.json()["details"]] == ["shapes[1]"]
    assert [d["field"] for d in extra.json()["details"]] == ["epoch"]
