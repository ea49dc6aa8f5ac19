"""Drawing together in the distributed topology, through nginx, with two collection
processes. A room's document lives in the memory of the one process its sockets are on, so
nginx must send every request and socket of a room to the same process (a consistent hash
on the room id, deploy/nginx.conf.template): otherwise two people in one room would sit in
two different copies of it and never see each other draw.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter

import httpx
import pytest

from tests.distributed.conftest import StartTopology, Topology, pg
from tests.support.together import RoomClient, join, square, until
from tests.support.waiting import DEADLINE_S, eventually

pytestmark = [pytest.mark.distributed, pytest.mark.topology]

# One line of deploy/nginx.conf.template's `crowdsketch` log format, for a room's request.
_ROOM_REQUEST = re.compile(
    r'"(?P<method>[A-Z]+) /api/together/(?P<room>[A-Za-z0-9_-]{22})(?P<rest>\S*) HTTP/[\d.]+" (?P<status>\d{3}) '
    r"\d+ rid=\S+ upstream=(?P<upstream>.*?) rt="
)


@pytest.fixture
def topology(start_topology: StartTopology) -> Topology:
    # Nothing here trains, so no workers; the deploy wants one admin and one inference process.
    return start_topology(collection=2, inference=1, workers=0)


async def _agreed(http: httpx.AsyncClient) -> str:
    """A new contributor session that agreed to the current terms: every room call needs it."""
    session_id = str(uuid.uuid4())
    version = (await http.get("/api/terms")).json()["version"]
    agreed = await http.post("/api/consent", json={"termsVersion": version}, headers={"X-Session-Id": session_id})
    assert agreed.status_code == 200, agreed.text
    return session_id


async def _room(http: httpx.AsyncClient, session_id: str) -> str:
    created = await http.post("/api/together", headers={"X-Session-Id": session_id})
    assert created.status_code == 201, created.text
    return created.json()["roomId"]


def _requests(topology: Topology, room_id: str) -> list[dict[str, str]]:
    """The room's requests in nginx's access log: method, path after the room id, status and
    upstream (`a, b` when nginx tried a second one)."""
    return [match.groupdict() for match in _ROOM_REQUEST.finditer(topology.access_log())
            if match["room"] == room_id]


def _points(client: RoomClient) -> int:
    return sum(len(stroke["points"]) for stroke in client.drawn())


async def test_two_connections_to_one_room_meet_in_one_collection_process_and_draw_together(
    topology: Topology,
) -> None:
    collection = {url.removeprefix("http://") for url in topology.collection_urls}
    assert len(collection) == 2 and {"collection.1", "collection.2"} <= set(topology.processes())

    async with httpx.AsyncClient(base_url=topology.url, timeout=30) as http:
        alice, bob = await _agreed(http), await _agreed(http)
        room_id = await _room(http, alice)
        joined_a, joined_b = await join(http, room_id, alice), await join(http, room_id, bob)

        # Two sockets, each its own connection through nginx.
        async with RoomClient(topology.url, room_id, joined_a) as a, RoomClient(topology.url, room_id, joined_b) as b:
            await until(lambda: a.people() == {"p1", "p2"} and b.people() == {"p1", "p2"}, DEADLINE_S)
            # A's stroke reaches B point by point, before A lifts the pen; then B's reaches A.
            stroke = a.start_stroke([100.0, 100.0, 1_000_000.0])
            await until(lambda: _points(b) == 1, DEADLINE_S)
            stroke.append([200.0, 110.0, 1_000_050.0])
            await until(lambda: _points(b) == 2, DEADLINE_S)
            await b.draw(square(20, 300, 80, t0=1_000_100.0))
            await until(lambda: len(a.drawn()) == 2, DEADLINE_S)
            # Both at once, their points interleaved on the way.
            await asyncio.gather(a.draw(square(50, 50, 100, t0=1_000_700.0), every_s=0.01),
                                 b.draw(square(250, 250, 150, t0=1_000_700.0), every_s=0.01))
            await until(lambda: _points(a) == _points(b) == 17, DEADLINE_S)
            assert a.drawn() == b.drawn()

            # Submit from both: one drawing, made by both.
            first = await http.post(f"/api/together/{room_id}/ready", json={"round": 1},
                                    headers={"X-Session-Id": alice})
            assert first.status_code == 200, first.text
            assert first.json() == {"round": 1, "ready": ["Guest 1"], "waitingFor": ["Guest 2"], "drawing": None}
            second = await http.post(f"/api/together/{room_id}/ready", json={"round": 1},
                                     headers={"X-Session-Id": bob})
            assert second.status_code == 200, second.text
            drawing = second.json()["drawing"]
            assert drawing is not None and drawing["contributors"] == 2
            await until(lambda: a.meta.get("round") == 2 and b.meta.get("round") == 2 and not b.drawn(), DEADLINE_S)

        drawing_id = uuid.UUID(drawing["id"])
        stored = await pg(topology.database, "SELECT source FROM drawings WHERE id = $1", drawing_id)
        assert [row["source"] for row in stored] == ["together"]
        contributors = {row["session_id"]: json.loads(row["strokes"]) for row in await pg(
            topology.database, "SELECT session_id, strokes FROM drawing_contributors WHERE drawing_id = $1", drawing_id)}
        assert {session: len(strokes) for session, strokes in contributors.items()} == {alice: 2, bob: 2}
        assert sorted(contributors[alice] + contributors[bob]) == [0, 1, 2, 3]

        # Every request of the room, both sockets among them (logged when they close), went
        # to one collection process, without a retry on another.
        def room_logged() -> list[dict[str, str]] | None:
            requests = _requests(topology, room_id)
            return requests if sum(r["status"] == "101" for r in requests) == 2 else None

        requests = await eventually(room_logged, "nginx logs both sockets of the room")
        assert Counter((r["method"], r["rest"].split("?")[0], r["status"]) for r in requests) == {
            ("POST", "/join", "200"): 2, ("GET", "", "101"): 2, ("POST", "/ready", "200"): 2}
        assert len({r["upstream"] for r in requests}) == 1 and requests[0]["upstream"] in collection, requests

        # More rooms: each stays on its process, and the hash spreads them over both. A room
        # falls on either process at random, so rooms are added until both have served one.
        served = {room_id: requests[0]["upstream"]}
        while len(served) < 12 or set(served.values()) != collection:
            assert len(served) < 48, f"48 rooms and all on one collection process: {set(served.values())}"
            other = await _room(http, alice)
            for session in (alice, bob, alice):  # alice again: a return, the same participant
                await join(http, other, session)

            def joins_logged(room: str = other) -> set[str] | None:
                requests = _requests(topology, room)
                return {r["upstream"] for r in requests} if len(requests) == 3 else None

            upstreams = await eventually(joins_logged, f"nginx logs the joins of room {other}")
            assert len(upstreams) == 1 and upstreams <= collection, f"room {other}: {upstreams}"
            served[other] = upstreams.pop()
        print(f"{len(served)} rooms: {dict(Counter(served.values()))}")
