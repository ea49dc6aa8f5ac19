"""Drawing together on both stacks, over real sockets: strokes stream to the others while
they are drawn, a late joiner and a restarted server get the whole canvas, Submit stores one
drawing with its contributors, and each limit closes only the socket that broke it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from pycrdt import YMessageType, YSyncMessageType, create_update_message

from crowdsketch.app import create_app
from crowdsketch.db.models import ContributorSession
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, create_admin
from tests.support.live import live_server
from tests.support.stacks import Stack
from tests.support.together import RoomClient, join, square, until


@pytest.fixture
async def served(stack: Stack) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    app = create_app(stack.settings)
    async with live_server(app) as url:
        stack.resources = app.state.resources
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield url, http


async def _room(http: httpx.AsyncClient, session_id: str) -> str:
    created = await http.post("/api/together", headers={"X-Session-Id": session_id})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["path"] == f"/together/{body['roomId']}"
    return body["roomId"]


def _points(client: RoomClient) -> int:
    return sum(len(stroke["points"]) for stroke in client.drawn())


async def test_two_people_draw_at_once_see_each_other_and_submit_one_drawing_with_both_as_contributors(
    served: tuple[str, httpx.AsyncClient], stack: Stack
) -> None:
    url, http = served
    alice, bob = str(uuid.uuid4()), str(uuid.uuid4())
    room_id = await _room(http, alice)
    joined_a, joined_b = await join(http, room_id, alice), await join(http, room_id, bob)
    assert joined_a["participant"]["name"] == "Guest 1" and joined_b["participant"]["name"] == "Guest 2"
    assert joined_a["participant"]["color"] != joined_b["participant"]["color"]
    assert joined_a["round"] == 1 and joined_a["prompt"]["id"] and joined_a["limit"] == 8

    async with RoomClient(url, room_id, joined_a) as a, RoomClient(url, room_id, joined_b) as b:
        await until(lambda: a.people() == {"p1", "p2"} and b.people() == {"p1", "p2"})
        # A's stroke reaches B point by point, before A lifts the pen.
        stroke = a.start_stroke([100.0, 100.0, 1_000_000.0])
        await until(lambda: _points(b) == 1)
        stroke.append([200.0, 110.0, 1_000_050.0])
        await until(lambda: _points(b) == 2)
        # Both at once.
        await a.draw(square(50, 50, 100))
        await b.draw(square(250, 250, 150, t0=1_000_400.0))
        await until(lambda: len(a.drawn()) == 3 and len(b.drawn()) == 3)
        assert a.drawn() == b.drawn()

        # Submit: stored when both have pressed it, once.
        first = await http.post(f"/api/together/{room_id}/ready", json={"round": 1}, headers={"X-Session-Id": alice})
        assert first.status_code == 200, first.text
        assert first.json() == {"round": 1, "ready": ["Guest 1"], "waitingFor": ["Guest 2"], "drawing": None}
        await until(lambda: a.meta.get("ready") == ["p1"])
        second = await http.post(f"/api/together/{room_id}/ready", json={"round": 1}, headers={"X-Session-Id": bob})
        assert second.status_code == 200, second.text
        drawing = second.json()["drawing"]
        assert drawing["contributors"] == 2
        again = await http.post(f"/api/together/{room_id}/ready", json={"round": 1}, headers={"X-Session-Id": alice})
        assert again.status_code == 409 and again.json()["error"] == "ROUND_OVER"

        # The room moves on together: a clean canvas, round 2.
        await until(lambda: a.meta.get("round") == 2 and b.meta.get("round") == 2 and not b.drawn())
        assert b.meta.get("saved")["drawingId"] == drawing["id"]

    await create_admin(stack)
    login = await http.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    http.headers["X-CSRF-Token"] = login.json()["csrfToken"]
    detail = (await http.get(f"/api/admin/drawings/{drawing['id']}")).json()
    assert detail["source"] == "together" and detail["strokeCount"] == 3
    # Strokes drawn at once keep the order the room's document gives them, the same for all.
    contributors = detail["contributors"]
    assert [(c["name"], c["sessionId"], len(c["strokes"])) for c in contributors] == [("Guest 1", alice, 2),
                                                                                        ("Guest 2", bob, 1)]
    assert sorted(contributors[0]["strokes"] + contributors[1]["strokes"]) == [0, 1, 2]
    assert [detail["strokeAuthors"][i] for i in contributors[1]["strokes"]] == [1]
    assert detail["strokeAuthors"][0] == 0  # the first stroke is Alice's
    # Each contributor's own count has it, once.
    async with stack.stores.db.request_session() as session:
        counts = {row.id: row.drawing_count for row in await session.scalars(
            select(ContributorSession).where(ContributorSession.id.in_([alice, bob])))}
    assert counts == {alice: 1, bob: 1}

    # A contributor who withdraws takes the drawing holding their strokes with them.
    withdrawn = await http.delete("/api/contributors/me", headers={"X-Session-Id": bob})
    assert withdrawn.status_code == 200 and withdrawn.json()["drawings"] == 1, withdrawn.text
    assert (await http.get(f"/api/admin/drawings/{drawing['id']}")).status_code == 404


async def test_a_late_joiner_and_a_restarted_server_get_the_whole_canvas(served: tuple[str, httpx.AsyncClient],
                                                                         stack: Stack) -> None:
    url, http = served
    alice, bob = str(uuid.uuid4()), str(uuid.uuid4())
    room_id = await _room(http, alice)
    async with RoomClient(url, room_id, await join(http, room_id, alice)) as a:
        await a.draw(square())
        await a.draw(square(10, 10, 20, t0=1_000_600.0))
        async with RoomClient(url, room_id, await join(http, room_id, bob)) as b:
            await until(lambda: len(b.drawn()) == 2)
            assert b.drawn() == a.drawn()
        expected = a.drawn()

    # Another server process (the first one's memory is gone with it) loads the saved room.
    app = create_app(stack.settings)
    async with live_server(app) as other, httpx.AsyncClient(base_url=other, timeout=30) as http2:
        joined = await join(http2, room_id, bob)
        assert joined["participant"]["name"] == "Guest 2"  # the same person as before
        async with RoomClient(other, room_id, joined) as again:
            await until(lambda: len(again.drawn()) == 2)
            assert again.drawn() == expected


async def test_what_is_refused_names_why(served: tuple[str, httpx.AsyncClient]) -> None:
    url, http = served
    alice = str(uuid.uuid4())
    missing = await http.post(f"/api/together/{'x' * 22}/join", headers={"X-Session-Id": alice})
    assert missing.status_code == 404 and missing.json()["error"] == "ROOM_NOT_FOUND"
    bad_id = await http.post("/api/together/not-a-room/join", headers={"X-Session-Id": alice})
    assert bad_id.status_code == 400
    no_session = await http.post("/api/together")
    assert no_session.status_code == 400 and "X-Session-Id" in no_session.text

    room_id = await _room(http, alice)
    joined = await join(http, room_id, alice)
    empty = await http.post(f"/api/together/{room_id}/ready", json={"round": 1}, headers={"X-Session-Id": alice})
    assert empty.status_code == 400 and empty.json()["error"] == "EMPTY_DRAWING"
    wrong = await http.post(f"/api/together/{room_id}/ready", json={"round": "1"}, headers={"X-Session-Id": alice})
    assert wrong.status_code == 400 and "round" in wrong.text
    stranger = await http.post(f"/api/together/{room_id}/ready", json={"round": 1},
                               headers={"X-Session-Id": str(uuid.uuid4())})
    assert stranger.status_code == 404
    # Someone who joined but has no socket open here cannot end a round alone.
    bob = str(uuid.uuid4())
    async with RoomClient(url, room_id, await join(http, room_id, bob)) as b:
        await b.draw(square())
        await until(lambda: len(b.drawn()) == 1)
        absent = await http.post(f"/api/together/{room_id}/ready", json={"round": 1}, headers={"X-Session-Id": alice})
        assert absent.status_code == 409 and absent.json()["error"] == "NOT_IN_ROOM"

    # A socket without a ticket, with another room's, or from another site is closed at once.
    forged = {**joined, "ticket": joined["ticket"][:-4] + "AAAA"}
    async with RoomClient(url, room_id, forged) as c:
        await until(lambda: c.closed_code is not None)
    assert c.closed_code == 4401
    async with RoomClient(url, room_id, joined, origin="https://elsewhere.example") as c:
        await until(lambda: c.closed_code is not None)
    assert c.closed_code == 4403


@pytest.mark.settings(together_room_limit=2, together_max_message_bytes=4096, together_updates_per_s=20)
async def test_a_full_room_a_huge_message_and_a_flood_close_that_socket_not_the_room(
    served: tuple[str, httpx.AsyncClient]
) -> None:
    url, http = served
    people = [str(uuid.uuid4()) for _ in range(3)]
    room_id = await _room(http, people[0])
    async with RoomClient(url, room_id, await join(http, room_id, people[0])) as a, \
            RoomClient(url, room_id, await join(http, room_id, people[1])) as b:
        await until(lambda: len(a.people()) == 2)
        full = await http.post(f"/api/together/{room_id}/join", headers={"X-Session-Id": people[2]})
        assert full.status_code == 409 and full.json()["error"] == "ROOM_FULL"

        # A message over the limit: that socket is closed with 4009; the room goes on.
        assert b.ws is not None
        await b.ws.send(bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]) + b"\x00" * 5000)
        await until(lambda: b.closed_code is not None)
        assert b.closed_code == 4009
        await a.draw(square())
        assert a.closed_code is None

    async with RoomClient(url, room_id, await join(http, room_id, people[1])) as b:
        await until(lambda: len(b.drawn()) == 1)
        # A flood (far more updates a second than anyone draws) closes with 4008.
        assert b.ws is not None
        flood = create_update_message(b"\x00\x00")
        for _ in range(200):
            await b.ws.send(flood)
        await until(lambda: b.closed_code is not None)
        assert b.closed_code == 4008


@pytest.mark.settings(together_max_doc_bytes=16 * 1024, together_updates_per_s=10_000)
async def test_a_room_whose_drawing_is_full_refuses_more_and_keeps_what_it_has(
    served: tuple[str, httpx.AsyncClient]
) -> None:
    url, http = served
    alice, bob = str(uuid.uuid4()), str(uuid.uuid4())
    room_id = await _room(http, alice)
    async with RoomClient(url, room_id, await join(http, room_id, alice)) as a, \
            RoomClient(url, room_id, await join(http, room_id, bob)) as b:
        await b.draw(square())
        await until(lambda: len(a.drawn()) == 1)
        for stroke in range(200):  # about 60 bytes a point: far past 16 KiB
            await a.draw([[float(i), float(stroke), 1_000_000.0 + i] for i in range(20)])
            if a.closed_code is not None:
                break
        await until(lambda: a.closed_code is not None)
        assert a.closed_code == 4011
        assert b.closed_code is None
        kept = len(b.drawn())
        assert kept > 1
    # The room goes on with what it kept, and Submit still works.
    async with RoomClient(url, room_id, await join(http, room_id, bob)) as again:
        await until(lambda: len(again.drawn()) == kept)


@pytest.mark.settings(together_idle_s=0.5)
async def test_an_idle_room_closes(served: tuple[str, httpx.AsyncClient]) -> None:
    url, http = served
    alice = str(uuid.uuid4())
    room_id = await _room(http, alice)
    async with RoomClient(url, room_id, await join(http, room_id, alice)) as a:
        await until(lambda: a.closed_code is not None)
    assert a.closed_code == 4000
    closed = await http.post(f"/api/together/{room_id}/join", headers={"X-Session-Id": alice})
    assert closed.status_code == 410 and closed.json()["error"] == "ROOM_CLOSED"
