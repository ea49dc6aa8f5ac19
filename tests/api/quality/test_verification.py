"""Peer verification: contributors are shown each other's drawings ("Is this a star?") and
answer yes, no or not sure."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from crowdsketch.db.models import VerificationTask, VerificationVote
from crowdsketch.synthetic import synthetic_drawing
from tests.api.quality.conftest import SmallModel, serve_model
from tests.support.drawings import circle_strokes, drawing_body, square_strokes, submission_headers
from tests.support.stacks import Stack


def _session() -> dict[str, str]:
    return {"X-Session-Id": str(uuid.uuid4())}


async def _draw(client: httpx.AsyncClient, session: dict[str, str], shape_id: str = "circle",
                body: dict | None = None) -> str:
    headers = submission_headers(session["X-Session-Id"], shape_id)
    response = await client.post("/api/drawings", json=body or drawing_body(shape_id), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _next(client: httpx.AsyncClient, session: dict[str, str]) -> dict | None:
    response = await client.get("/api/verifications/next", headers=session)
    assert response.status_code in (200, 204), response.text
    return response.json() if response.status_code == 200 else None


async def test_a_session_is_shown_another_contributors_drawing_never_its_own(client: httpx.AsyncClient) -> None:
    author, verifier = _session(), _session()
    drawing_id = await _draw(client, author, "square", drawing_body("square", square_strokes()))

    assert await _next(client, author) is None
    task = await _next(client, verifier)

    assert task is not None
    assert task["drawingId"] == drawing_id
    assert task["shape"] == {"id": "square", "name": "Square"}
    assert task["strokeData"]["strokes"] == drawing_body("square", square_strokes())["strokeData"]["strokes"]


async def test_a_session_never_gets_the_same_drawing_twice(client: httpx.AsyncClient) -> None:
    author, verifier = _session(), _session()
    drawn = {await _draw(client, author) for _ in range(3)}

    # Two asked at once, then one after the other, answered or not.
    together = await asyncio.gather(_next(client, verifier), _next(client, verifier))
    later = [await _next(client, verifier) for _ in range(2)]
    shown = [task["drawingId"] for task in [*together, *later] if task is not None]

    assert sorted(shown) == sorted(drawn)
    assert await _next(client, verifier) is None
    assert (await _next(client, _session()))["drawingId"] in drawn  # others still get them


async def test_nothing_waiting_is_204_and_a_missing_session_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/verifications/next", headers=_session())).status_code == 204

    response = await client.get("/api/verifications/next")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "headers.X-Session-Id"


@pytest.mark.settings(agreement_timeout_s=30.0)
async def test_drawings_with_low_agreement_and_few_votes_come_first(
    client: httpx.AsyncClient, stack: Stack, shape_model: SmallModel
) -> None:
    await serve_model(stack, shape_model)
    author = _session()
    star = synthetic_drawing("star", random.Random(2024)).model_dump(mode="json")
    fair = await _draw(client, author, "star", {"shapeId": "star", "strokeData": star})
    doubtful = await _draw(client, author, "star", drawing_body("star", circle_strokes()))

    first = await _next(client, (verifier := _session()))
    assert first is not None and first["drawingId"] == doubtful
    answered = await client.post(f"/api/verifications/{first['id']}", json={"answer": "no"}, headers=verifier)
    assert answered.status_code == 201, answered.text

    # The doubtful drawing now has a vote; the fair one has none, so it comes first.
    assert (await _next(client, _session()))["drawingId"] == fair


async def test_an_answer_is_stored_once_per_session_and_task(client: httpx.AsyncClient, stack: Stack) -> None:
    verifier = _session()
    drawing_id = await _draw(client, _session())
    task = await _next(client, verifier)
    assert task is not None

    first = await client.post(f"/api/verifications/{task['id']}", json={"answer": "yes"}, headers=verifier)
    again = await client.post(f"/api/verifications/{task['id']}", json={"answer": "yes"}, headers=verifier)
    changed = await client.post(f"/api/verifications/{task['id']}", json={"answer": "no"}, headers=verifier)

    assert first.status_code == 201, first.text
    assert {k: first.json()[k] for k in ("taskId", "drawingId", "answer")} == {
        "taskId": task["id"], "drawingId": drawing_id, "answer": "yes"}
    assert again.status_code == 201 and again.json() == first.json()
    assert changed.status_code == 409
    assert changed.json()["details"] == [{"field": "answer", "message": "already answered 'yes'"}]
    async with stack.stores.db.sessions() as session:
        votes = (await session.execute(select(VerificationVote.answer))).scalars().all()
        count = (await session.execute(select(VerificationTask.votes))).scalar_one()
    assert (votes, count) == (["yes"], 1)


async def test_bad_answers_are_refused_naming_the_field(client: httpx.AsyncClient) -> None:
    author, verifier = _session(), _session()
    await _draw(client, author)
    task = await _next(client, verifier)
    assert task is not None
    url = f"/api/verifications/{task['id']}"

    cases = {
        "answer": ({"answer": "maybe"}, verifier),
        "answer ": ({}, verifier),
        "extra": ({"answer": "yes", "extra": 1}, verifier),
        "headers.X-Session-Id": ({"answer": "yes"}, {"X-Session-Id": "not a session!"}),
    }
    for field, (body, headers) in cases.items():
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["details"][0]["field"] == field.strip(), response.json()

    own = await client.post(url, json={"answer": "yes"}, headers=author)
    assert own.status_code == 403
    for unknown in (str(uuid.uuid4()), "not-a-task"):
        response = await client.post(f"/api/verifications/{unknown}", json={"answer": "yes"}, headers=verifier)
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "NOT_FOUND"


@pytest.mark.settings(vote_rate_per_session=2)
async def test_answers_are_rate_limited_per_session(client: httpx.AsyncClient) -> None:
    verifier = _session()
    await _draw(client, _session())
    task = await _next(client, verifier)
    assert task is not None
    statuses = [
        (await client.post(f"/api/verifications/{task['id']}", json={"answer": "yes"}, headers=verifier)).status_code
        for _ in range(3)
    ]

    assert statuses == [201, 201, 429]


VOTERS, TASKS = 100, 10


# What is checked is the count, not the speed: no in-flight cap or rate limit in the way, and
# the app waits its turn at the database (SQLite takes one writer at a time) as long as the
# machine needs, so that a queue of 2,000 writes is not cut short into 503s.
@pytest.mark.settings(max_in_flight_per_address=0, vote_rate_per_session=0, vote_rate_per_address=0,
                      dependency_timeout_s=120.0, breaker_threshold=1_000_000)
async def test_a_thousand_concurrent_votes_lose_none_and_double_none(client: httpx.AsyncClient, stack: Stack) -> None:
    author = _session()
    for _ in range(TASKS):
        await _draw(client, author)
    async with stack.stores.db.sessions() as session:
        tasks = [str(task_id) for task_id in (await session.execute(select(VerificationTask.id))).scalars().all()]
    assert len(tasks) == TASKS
    voters = [_session() for _ in range(VOTERS)]
    answers = ["yes", "no", "unsure"]

    async def vote(voter: dict[str, str], task_id: str, answer: str) -> dict:
        # A client retries what the server asks it to retry (a busy database is a 503).
        while True:
            response = await client.post(f"/api/verifications/{task_id}", json={"answer": answer}, headers=voter)
            if response.status_code != 503:
                assert response.status_code == 201, response.text
                return response.json()
            await asyncio.sleep(0.05 + random.random())

    ballots = [(v, t, answers[(i + j) % 3]) for i, v in enumerate(voters) for j, t in enumerate(tasks)]
    # Every vote sent twice at once, as a client whose first answer was lost would.
    results = await asyncio.gather(*(vote(*ballot) for ballot in ballots for _ in range(2)))

    assert len(results) == 2 * VOTERS * TASKS
    assert all(results[2 * i]["id"] == results[2 * i + 1]["id"] for i in range(len(ballots)))
    async with stack.stores.db.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(VerificationVote))).scalar_one()
        counts = dict((await session.execute(select(VerificationTask.id, VerificationTask.votes))).all())
        by_answer = Counter((await session.execute(select(VerificationVote.answer))).scalars().all())
    assert stored == VOTERS * TASKS
    assert set(counts.values()) == {VOTERS}
    assert by_answer == Counter(answer for _, _, answer in ballots)


async def test_the_admin_drawing_detail_counts_the_players_answers(admin_client: httpx.AsyncClient) -> None:
    author = _session()
    drawing_id = await _draw(admin_client, author)
    untouched = (await admin_client.get(f"/api/admin/drawings/{drawing_id}")).json()
    assert untouched["votes"] == {"yes": 0, "no": 0, "unsure": 0}

    for answer in ("yes", "yes", "no", "unsure"):
        verifier = _session()
        task = await _next(admin_client, verifier)
        assert task is not None and task["drawingId"] == drawing_id
        voted = await admin_client.post(f"/api/verifications/{task['id']}", json={"answer": answer}, headers=verifier)
        assert voted.status_code == 201, voted.text

    detail = (await admin_client.get(f"/api/admin/drawings/{drawing_id}")).json()
    assert detail["votes"] == {"yes": 2, "no": 1, "unsure": 1}
