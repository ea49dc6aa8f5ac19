"""A contributor's own drawings: a copy of them, and a withdrawal that deletes everything
the session gave, strokes included, on both stacks."""

from __future__ import annotations

import uuid

import httpx
import orjson
from sqlalchemy import func, select

from crowdsketch.db.models import ContributorSession, Drawing, VerificationTask, VerificationVote
from crowdsketch.doctor import diagnose
from tests.support.drawings import circle_strokes, drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack


def _me() -> dict[str, str]:
    return {"X-Session-Id": uuid.uuid4().hex}


async def _draw(client: httpx.AsyncClient, me: dict[str, str], shape: str, strokes: list) -> str:
    headers = submission_headers(me["X-Session-Id"], shape)
    answer = await client.post("/api/drawings", json=drawing_body(shape, strokes), headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def _task(stack: Stack, drawing_id: str) -> str:
    async with stack.stores.db.sessions() as session:
        return str((await session.execute(
            select(VerificationTask.id).where(VerificationTask.drawing_id == uuid.UUID(drawing_id)))).scalar_one())


async def _count(stack: Stack, statement) -> int:  # type: ignore[no-untyped-def]
    async with stack.stores.db.sessions() as session:
        return (await session.execute(statement)).scalar_one()


async def test_a_contributor_exports_and_then_withdraws_everything_they_gave(client: httpx.AsyncClient, stack: Stack) -> None:
    me, other = _me(), _me()
    mine = [await _draw(client, me, "circle", circle_strokes(200, 200, 60 + 10 * i)) for i in range(3)]
    theirs = await _draw(client, other, "square", square_strokes())
    # I answer about their drawing; they answer about mine.
    assert (await client.post(f"/api/verifications/{await _task(stack, theirs)}", json={"answer": "yes"},
                              headers=me)).status_code == 201
    assert (await client.post(f"/api/verifications/{await _task(stack, mine[0])}", json={"answer": "no"},
                              headers=other)).status_code == 201
    keys = set(await stack.drawing_blob_keys())

    exported = await client.get("/api/contributors/me/export", headers=me)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in exported.content.splitlines()]
    assert [line["label"] for line in lines] == ["circle"] * 3
    assert {line["id"] for line in lines} == set(mine)

    withdrawn = await client.delete("/api/contributors/me", headers=me)
    again = await client.delete("/api/contributors/me", headers=me)

    assert withdrawn.status_code == 200 and withdrawn.json() == {"drawings": 3, "votes": 1, "snapshots": 0}
    assert again.status_code == 200 and again.json() == {"drawings": 0, "votes": 0, "snapshots": 0}
    # Rows, strokes, answers both ways, stats: gone. The other contributor's drawing stays,
    # its count of answers down by mine.
    assert await _count(stack, select(func.count()).select_from(Drawing)) == 1
    assert await stack.drawing_blob_keys() == {key for key in keys if theirs in key}
    assert await _count(stack, select(func.count()).select_from(VerificationVote)) == 0
    assert await _count(stack, select(VerificationTask.votes).where(VerificationTask.drawing_id == uuid.UUID(theirs))) == 0
    assert await _count(stack, select(func.count()).select_from(ContributorSession)
                        .where(ContributorSession.id == me["X-Session-Id"])) == 0
    assert (await client.get("/api/contributors/me/export", headers=me)).content == b""
    # And the stores agree: nothing orphaned, nothing missing.
    assert stack.resources is not None
    report = await diagnose(stack.resources, 0.0)
    assert report.problems == ()
    audit = [e for e in await _audit(stack) if e[0] == "contributor.withdraw"]
    assert len(audit) == 2 and me["X-Session-Id"] not in str(audit)


async def _audit(stack: Stack) -> list[tuple]:
    from crowdsketch.db.models import AuditEntry

    async with stack.stores.db.sessions() as session:
        return [tuple(row) for row in (await session.execute(
            select(AuditEntry.action, AuditEntry.target_id, AuditEntry.details))).all()]


async def test_without_a_session_it_is_400_naming_the_header(client: httpx.AsyncClient) -> None:
    for answer in (await client.delete("/api/contributors/me"), await client.get("/api/contributors/me/export")):
        assert answer.status_code == 400
        assert [d["field"] for d in answer.json()["details"]] == ["headers.X-Session-Id"]
