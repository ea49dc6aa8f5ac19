"""A/B experiments on both stacks: callers dealt to arms by a stable hash, ground truth from
feedback and from game drawings both arms score, and a promotion that makes the treatment
the active model."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import httpx

from crowdsketch.db.models import Shape
from tests.api.test_inference import HORIZONTAL, _wait_for_version
from tests.support.drawings import drawing_body, stroke_data, submission_headers
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack
from tests.support.waiting import eventually


async def _two_models(stack: Stack, client: httpx.AsyncClient, onnx: bytes) -> uuid.UUID:
    """v1 active (the control), v2 not (the treatment's id is returned); their two shapes
    in the catalogue, so that the game can prompt them."""
    async def shapes(session) -> None:  # type: ignore[no-untyped-def]
        session.add_all(Shape(id=label, name=label.title(), active=True, closed=False, position=90 + i)
                        for i, label in enumerate(("horizontal", "vertical")))

    await stack.stores.db.run(shapes)
    await add_model(stack, onnx, 1, active=True)
    treatment = await add_model(stack, onnx, 2, active=False)
    await _wait_for_version(client, 1)
    return treatment


async def _classify(client: httpx.AsyncClient, session: str) -> dict[str, Any]:
    answer = await client.post("/api/inference/classify", json={"strokeData": stroke_data(HORIZONTAL)},
                               headers={"X-Session-Id": session})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_callers_split_between_arms_and_both_arms_get_labels(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    treatment = await _two_models(stack, admin_client, orientation_model)
    started = await admin_client.post("/api/admin/experiments",
                                      json={"name": "v2 vs v1", "treatmentModelId": str(treatment), "share": 0.5})
    assert started.status_code == 201, started.text
    experiment = started.json()
    assert experiment["status"] == "running" and [a["modelVersion"] for a in experiment["arms"]] == [1, 2]
    again = await admin_client.post("/api/admin/experiments",
                                    json={"name": "another", "treatmentModelId": str(treatment), "share": 0.5})
    assert again.status_code == 409 and again.json()["error"] == "EXPERIMENT_RUNNING"
    assert stack.resources is not None
    await stack.resources.models.refresh()  # as the announcement does in every process

    # 400 callers: each one arm, the same every time; the two arms near half each.
    answers = {f"caller-{i}": await _classify(admin_client, f"caller-{i}") for i in range(400)}
    versions = Counter(a["modelVersion"] for a in answers.values())
    assert 160 <= versions[2] <= 240, versions
    for session in list(answers)[:40]:
        assert (await _classify(admin_client, session))["modelVersion"] == answers[session]["modelVersion"]
    assert {(a["experiment"]["arm"], a["modelVersion"]) for a in answers.values()} == {("control", 1), ("treatment", 2)}

    # Feedback from implementors: idempotent, and 404 for what was never answered.
    by_arm = {arm: [a for a in answers.values() if a["experiment"]["arm"] == arm][:5] for arm in ("control", "treatment")}
    for answer in by_arm["control"] + by_arm["treatment"]:
        told = await admin_client.post("/api/inference/feedback",
                                       json={"predictionId": answer["predictionId"], "correctShape": "horizontal"})
        assert told.status_code == 200 and told.json()["correct"] is True, told.text
    repeated = await admin_client.post("/api/inference/feedback", json={
        "predictionId": by_arm["control"][0]["predictionId"], "correctShape": "vertical"})
    assert repeated.status_code == 200 and repeated.json()["correct"] is True  # the first truth stands
    unknown = await admin_client.post("/api/inference/feedback", json={"predictionId": "nope", "correctShape": "horizontal"})
    assert unknown.status_code == 404 and unknown.json()["details"][0]["field"] == "predictionId"

    # Game drawings: both arms score each one, off the submission's path.
    for i in range(6):
        drawn = await admin_client.post("/api/drawings", json=drawing_body("horizontal", HORIZONTAL),
                                        headers=submission_headers(f"player-{i}", "horizontal"))
        assert drawn.status_code == 201, drawn.text

    async def read() -> dict[str, Any] | None:
        now = (await admin_client.get(f"/api/admin/experiments/{experiment['id']}")).json()
        return now if now["paired"]["drawings"] == 6 else None

    now = await eventually(read, "both arms scored the game drawings")
    assert [a["requests"] for a in now["arms"]] == [versions[1] + 40 - sum(
        1 for s in list(answers)[:40] if answers[s]["modelVersion"] == 2), versions[2] + sum(
        1 for s in list(answers)[:40] if answers[s]["modelVersion"] == 2)]
    assert [(a["labelled"], a["correct"]) for a in now["arms"]] == [(11, 11), (11, 11)]
    assert now["paired"]["bothRight"] == 6 and now["comparison"]["decision"] == "keep running"
    assert all(a["latencyP50Ms"] is not None and a["interval"]["high"] <= 1 for a in now["arms"])


async def test_promoting_makes_the_treatment_active_everywhere_and_is_audited(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    treatment = await _two_models(stack, admin_client, orientation_model)
    active = await admin_client.post("/api/admin/experiments", json={
        "name": "self", "treatmentModelId": next(m["id"] for m in (await admin_client.get("/api/admin/models")).json()
                                                 if m["active"]), "share": 0.5})
    assert active.status_code == 400 and active.json()["details"][0]["field"] == "treatmentModelId"
    experiment = (await admin_client.post("/api/admin/experiments", json={
        "name": "ship it", "treatmentModelId": str(treatment), "share": 0.2})).json()

    promoted = await admin_client.post(f"/api/admin/experiments/{experiment['id']}/promote")
    assert promoted.status_code == 200 and promoted.json()["status"] == "promoted"
    assert [m["version"] for m in (await admin_client.get("/api/admin/models")).json() if m["active"]] == [2]
    await _wait_for_version(admin_client, 2)
    assert stack.resources is not None
    await stack.resources.models.refresh()
    answer = await _classify(admin_client, "anyone")
    assert answer["modelVersion"] == 2 and answer["experiment"] is None and answer["predictionId"] is None
    ended = await admin_client.post(f"/api/admin/experiments/{experiment['id']}/stop")
    assert ended.status_code == 409 and ended.json()["error"] == "EXPERIMENT_ENDED"
    audit = (await admin_client.get("/api/admin/audit", params={"action": "experiment.promote"})).json()["items"]
    assert [entry["targetId"] for entry in audit] == [experiment["id"]]
