"""`minAgreement`, `minConsensus`, `minTrust`: a training job can leave out the drawings the
model disagreed with, the crowd doubts, or contributors it does not trust drew."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy import select, update

from crowdsketch.db.models import ContributorTrust, Drawing, VerificationTask
from tests.api.admin.test_eval_sets import NDJSON, SHAPES, _job, _worker, labelled_lines
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_min_agreement_leaves_out_what_the_model_disagreed_with_and_keeps_the_unscored(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    imported = await admin_client.post("/api/admin/import", content=labelled_lines(8, seed=7), headers=NDJSON)
    assert imported.json()["imported"] == 16, imported.text

    async def score(session) -> list[str]:  # type: ignore[no-untyped-def]
        ids = list((await session.execute(select(Drawing.id).order_by(Drawing.id))).scalars())
        # Four the model doubted, four it agreed with, eight it never scored.
        await session.execute(update(Drawing).where(Drawing.id.in_(ids[:4])).values(model_agreement=0.1))
        await session.execute(update(Drawing).where(Drawing.id.in_(ids[4:8])).values(model_agreement=0.9))
        return [str(i) for i in ids[:4]]

    doubted = await stack.stores.db.run(score)
    started = await admin_client.post(
        "/api/admin/training/start", json={"epochs": 1, "shapes": SHAPES, "seed": 1, "minAgreement": 0.5})
    assert started.status_code == 201, started.text
    assert started.json()["config"]["minAgreement"] == 0.5
    async with _worker(stack):
        job = await eventually(lambda: _job(admin_client, started.json()["id"]), "the training job ends", within_s=JOB_DEADLINE_S)

    assert job["status"] == "completed", job
    [model] = (await admin_client.get("/api/admin/models")).json()
    assert model["datasetSize"] == 12
    card = orjson.loads(await stack.stores.blobs.get(f"models/{model['id']}/card.json"))
    assert not set(doubted) & set(card["drawing_ids"])
    assert card["train_config"]["minAgreement"] == 0.5


async def test_a_config_without_min_agreement_keeps_its_old_form_and_a_bad_one_names_the_field(
    admin_client: httpx.AsyncClient,
) -> None:
    plain = await admin_client.post("/api/admin/training/start", json={"epochs": 2, "shapes": SHAPES})
    assert plain.status_code == 201, plain.text
    assert "minAgreement" not in plain.json()["config"]
    # The same config with the filter is another training.
    filtered = await admin_client.post("/api/admin/training/start", json={"epochs": 2, "shapes": SHAPES, "minAgreement": 0.3})
    assert filtered.status_code == 201 and filtered.json()["id"] != plain.json()["id"]
    bad = await admin_client.post("/api/admin/training/start", json={"epochs": 2, "minAgreement": 1.5})
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json()["details"]] == ["minAgreement"]


@pytest.mark.settings(job_poll_interval_s=0.1)
async def test_min_consensus_and_min_trust_leave_out_what_the_crowd_doubts_and_keep_the_unjudged(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    lines = [orjson.loads(line) for line in labelled_lines(8, seed=9).splitlines()]
    for i, line in enumerate(lines):
        line["sessionId"] = f"writer{i % 4}"
    body = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    imported = await admin_client.post("/api/admin/import", content=body, headers=NDJSON)
    assert imported.json()["imported"] == 16, imported.text

    async def judge(session) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
        drawings = (await session.execute(select(Drawing.id, Drawing.shape_id, Drawing.session_id)
                                          .order_by(Drawing.id))).all()
        # The crowd doubts two drawings and confirms two; the rest nobody judged.
        for i, (drawing_id, shape_id, _) in enumerate(drawings[:4]):
            session.add(VerificationTask(drawing_id=drawing_id, shape_id=shape_id, priority=0.5, votes=3,
                                         consensus=0.1 if i < 2 else 0.95, consensus_yes=1, consensus_no=2))
        # writer0 is trusted little, writer1 much; the others are not judged yet.
        session.add(ContributorTrust(session_id="writer0", trust=0.2, votes=0, judged_drawings=4))
        session.add(ContributorTrust(session_id="writer1", trust=0.9, votes=0, judged_drawings=4))
        return ({str(d) for d, _, _ in drawings[:2]}, {str(d) for d, _, s in drawings if s == "writer0"})

    doubted, distrusted = await stack.stores.db.run(judge)
    started = await admin_client.post("/api/admin/training/start", json={
        "epochs": 1, "shapes": SHAPES, "seed": 1, "minConsensus": 0.5, "minTrust": 0.5})
    assert started.status_code == 201, started.text
    assert {k: started.json()["config"][k] for k in ("minConsensus", "minTrust")} == {"minConsensus": 0.5, "minTrust": 0.5}
    async with _worker(stack):
        job = await eventually(lambda: _job(admin_client, started.json()["id"]), "the training job ends", within_s=JOB_DEADLINE_S)

    assert job["status"] == "completed", job
    [model] = (await admin_client.get("/api/admin/models")).json()
    card = orjson.loads(await stack.stores.blobs.get(f"models/{model['id']}/card.json"))
    left_out = doubted | distrusted
    assert model["datasetSize"] == 16 - len(left_out)
    assert not left_out & set(card["drawing_ids"])
