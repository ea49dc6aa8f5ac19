"""The crowd's verdict and trust: votes aggregated by Dawid–Skene in a job the workers start
when new votes come in, on both stacks."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from crowdsketch.db.models import VerificationTask
from tests.api.admin.test_eval_sets import _worker
from tests.support.drawings import circle_strokes, drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack
from tests.support.waiting import JOB_DEADLINE_S, eventually

TRUSTED = 5
CARELESS = 3


def _session() -> dict[str, str]:
    return {"X-Session-Id": f"s{uuid.uuid4().hex[:16]}"}


async def _draw(client: httpx.AsyncClient, session: dict[str, str], strokes: list) -> str:
    headers = submission_headers(session["X-Session-Id"], "circle")
    response = await client.post("/api/drawings", json=drawing_body("circle", strokes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _task_of(stack: Stack, drawing_id: str) -> str:
    async with stack.stores.db.sessions() as session:
        task = (await session.execute(
            select(VerificationTask.id).where(VerificationTask.drawing_id == uuid.UUID(drawing_id))
        )).scalar_one()
    return str(task)


async def _vote(client: httpx.AsyncClient, voter: dict[str, str], task: str, answer: str) -> None:
    response = await client.post(f"/api/verifications/{task}", json={"answer": answer}, headers=voter)
    assert response.status_code == 201, response.text


async def _detail(client: httpx.AsyncClient, drawing_id: str) -> dict:
    return (await client.get(f"/api/admin/drawings/{drawing_id}")).json()


async def _aggregations(client: httpx.AsyncClient) -> list[dict]:
    return (await client.get("/api/admin/training/jobs", params={"kind": "aggregate"})).json()["items"]


async def _aggregated(client: httpx.AsyncClient, drawing_id: str, after: int) -> dict:
    """The drawing's detail once an aggregation started after the first `after` has ended."""
    async def check() -> dict | None:
        jobs = await _aggregations(client)
        settled = len(jobs) > after and all(job["status"] in ("completed", "failed") for job in jobs)
        return await _detail(client, drawing_id) if settled else None

    detail = await eventually(check, "an aggregation of the new votes ends", within_s=JOB_DEADLINE_S, interval_s=0.2)
    assert all(job["status"] == "completed" for job in await _aggregations(client))
    return detail


@pytest.mark.settings(consensus_interval_s=0.2, vote_rate_per_session=0, vote_rate_per_address=0)
async def test_consensus_flips_a_drawing_after_enough_no_votes_from_trusted_sessions(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    # A seeded crowd: an author whose "circles" are eight circles and four squares; five
    # careful verifiers who tell them apart, three careless ones who say yes to everything.
    author = _session()
    circles = [await _draw(admin_client, author, circle_strokes(200, 200, 60 + 8 * i)) for i in range(8)]
    squares = [await _draw(admin_client, author, square_strokes(60 + 5 * i, 60, 200)) for i in range(4)]
    trusted = [_session() for _ in range(TRUSTED)]
    careless = [_session() for _ in range(CARELESS)]
    *known_squares, target = squares
    for drawing_id in [*circles, *known_squares]:
        task = await _task_of(stack, drawing_id)
        for voter in trusted:
            await _vote(admin_client, voter, task, "yes" if drawing_id in circles else "no")
        for voter in careless:
            await _vote(admin_client, voter, task, "yes")
    target_task = await _task_of(stack, target)
    for voter in careless:
        await _vote(admin_client, voter, target_task, "yes")

    async with _worker(stack):
        before = await _aggregated(admin_client, target, after=0)
    started = len(await _aggregations(admin_client))
    for voter in trusted[:2]:  # while no worker runs: the next aggregation sees both
        await _vote(admin_client, voter, target_task, "no")
    async with _worker(stack):
        after = await _aggregated(admin_client, target, after=started)

    # Three careless yes votes alone carry it; two no votes from careful sessions flip it.
    assert before["consensus"] > 0.5
    assert after["consensus"] < 0.5
    assert (await _detail(admin_client, circles[0]))["consensus"] > 0.9
    # The careful are trusted more than the careless, and the author's trust suffers from
    # the squares the crowd did not confirm.
    listed = (await admin_client.get("/api/admin/contributors", params={"sort": "trust", "limit": 50})).json()["items"]
    by_id = {item["sessionId"]: item for item in listed}
    assert min(by_id[v["X-Session-Id"]]["trust"] for v in trusted) > max(by_id[v["X-Session-Id"]]["trust"]
                                                                         for v in careless)
    assert [item["trust"] for item in listed] == sorted(item["trust"] for item in listed)
    assert by_id[author["X-Session-Id"]]["drawings"] == 12
    assert by_id[author["X-Session-Id"]]["confirmation"] < 0.8
    assert by_id[trusted[0]["X-Session-Id"]]["votes"] == 12
    assert after["authorTrust"] == pytest.approx(by_id[author["X-Session-Id"]]["trust"])


async def test_no_votes_no_verdict_and_unknown_sorts_are_refused(admin_client: httpx.AsyncClient) -> None:
    drawing_id = await _draw(admin_client, _session(), circle_strokes())
    detail = await _detail(admin_client, drawing_id)
    assert detail["consensus"] is None and detail["authorTrust"] is None and detail["labelHistory"] == []

    listed = (await admin_client.get("/api/admin/contributors", params={"sort": "trust"})).json()
    assert [(item["drawings"], item["trust"]) for item in listed["items"]] == [(1, None)]
    bad = await admin_client.get("/api/admin/contributors", params={"sort": "karma"})
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json()["details"]] == ["query.sort"]
