"""The review queue: doubtful drawings first, and an admin's accept, flag or relabel, each
audited, each taking the drawing out of the queue; a relabel keeps the old label."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select, update

from crowdsketch.db.models import Drawing, VerificationTask
from tests.support.drawings import circle_strokes, drawing_body, submission_headers
from tests.support.stacks import Stack


async def _draw(client: httpx.AsyncClient, session_id: str) -> str:
    headers = submission_headers(session_id, "circle")
    response = await client.post("/api/drawings", json=drawing_body("circle", circle_strokes()), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _doubted(stack: Stack, agreements: dict[str, float]) -> None:
    """As if the model had judged the drawings so when they arrived."""
    async def judge(session) -> None:  # type: ignore[no-untyped-def]
        for drawing_id, agreement in agreements.items():
            await session.execute(update(Drawing).where(Drawing.id == uuid.UUID(drawing_id))
                                  .values(model_agreement=agreement, model_shape="square", model_version=1))

    await stack.stores.db.run(judge)


async def _queue(client: httpx.AsyncClient, **params: object) -> dict:
    response = await client.get("/api/admin/review", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_queue_holds_the_doubtful_most_doubtful_first(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    author = uuid.uuid4().hex
    ids = [await _draw(admin_client, author) for _ in range(4)]
    await _doubted(stack, {ids[0]: 0.3, ids[1]: 0.05, ids[2]: 0.9})  # ids[3]: never judged

    page = await _queue(admin_client)

    assert [item["drawingId"] for item in page["items"]] == [ids[1], ids[0]]
    assert page["total"] == 2 and page["nextCursor"] is None
    first = page["items"][0]
    assert first["doubt"] == 0.95
    assert first["shape"] == {"id": "circle", "name": "Circle"}
    assert first["reasons"]["modelAgreement"] == 0.05 and first["reasons"]["modelShape"] == "square"
    assert first["reasons"]["votes"] == {"yes": 0, "no": 0, "unsure": 0}
    assert first["reasons"]["labelIssue"] is None and first["reasons"]["consensus"] is None

    # One at a time, by cursor.
    one = await _queue(admin_client, limit=1)
    two = await _queue(admin_client, limit=1, cursor=one["nextCursor"])
    assert [one["items"][0]["drawingId"], two["items"][0]["drawingId"]] == [ids[1], ids[0]]
    assert two["nextCursor"] is None


async def test_accept_flag_and_relabel_are_audited_and_leave_the_queue(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    author = uuid.uuid4().hex
    accepted, flagged, relabelled = [await _draw(admin_client, author) for _ in range(3)]
    await _doubted(stack, {accepted: 0.1, flagged: 0.2, relabelled: 0.15})

    answers = [
        await admin_client.post(f"/api/admin/review/{accepted}", json={"action": "accept"}),
        await admin_client.post(f"/api/admin/review/{flagged}", json={"action": "flag", "reason": "a scribble"}),
        await admin_client.post(f"/api/admin/review/{relabelled}", json={"action": "relabel", "shapeId": "square"}),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert [(a.json()["action"], a.json()["shape"]["id"], a.json()["flagged"]) for a in answers] == [
        ("accept", "circle", False), ("flag", "circle", True), ("relabel", "square", False)]
    assert (await _queue(admin_client))["items"] == []

    detail = (await admin_client.get(f"/api/admin/drawings/{relabelled}")).json()
    assert detail["shape"]["id"] == "square" and detail["reviewedAt"]
    assert [(c["fromShape"], c["toShape"], c["changedBy"]) for c in detail["labelHistory"]] == [
        ("circle", "square", "curator@example.org")]
    flagged_detail = (await admin_client.get(f"/api/admin/drawings/{flagged}")).json()
    assert flagged_detail["flagged"] and flagged_detail["flagReason"] == "a scribble"
    # The crowd is asked about the new label too.
    async with stack.stores.db.sessions() as session:
        asked = set((await session.execute(
            select(VerificationTask.shape_id).where(VerificationTask.drawing_id == uuid.UUID(relabelled))
        )).scalars())
    assert asked == {"circle", "square"}
    audit = (await admin_client.get("/api/admin/audit", params={"limit": 20})).json()["items"]
    trail = {(entry["action"], entry["targetId"]) for entry in audit}
    assert {("review.accept", accepted), ("review.flag", flagged), ("review.relabel", relabelled)} <= trail
    relabel_entry = next(e for e in audit if e["action"] == "review.relabel")
    assert relabel_entry["details"] == {"from": "circle", "to": "square"}


async def test_bad_review_actions_name_the_field_and_change_nothing(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    drawing_id = await _draw(admin_client, uuid.uuid4().hex)
    await _doubted(stack, {drawing_id: 0.1})

    no_shape = await admin_client.post(f"/api/admin/review/{drawing_id}", json={"action": "relabel"})
    unknown = await admin_client.post(f"/api/admin/review/{drawing_id}", json={"action": "relabel", "shapeId": "blob"})
    same = await admin_client.post(f"/api/admin/review/{drawing_id}", json={"action": "relabel", "shapeId": "circle"})
    verb = await admin_client.post(f"/api/admin/review/{drawing_id}", json={"action": "delete"})
    missing = await admin_client.post(f"/api/admin/review/{uuid.uuid4()}", json={"action": "accept"})

    assert [r.status_code for r in (no_shape, unknown, same, verb, missing)] == [400, 400, 400, 400, 404]
    assert [d["field"] for d in no_shape.json()["details"]] == ["shapeId"]
    assert [d["field"] for d in unknown.json()["details"]] == ["shapeId"]
    assert [d["field"] for d in verb.json()["details"]] == ["action"]
    # Still waiting, label unchanged.
    [item] = (await _queue(admin_client))["items"]
    assert item["drawingId"] == drawing_id and item["shape"]["id"] == "circle"


async def test_the_queue_needs_an_admin(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/admin/review")).status_code == 401
    assert (await client.get("/api/admin/label-issues")).status_code == 401
    assert (await client.get("/api/admin/contributors")).status_code == 401
