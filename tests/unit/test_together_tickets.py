"""A room's socket ticket names a participant of that room only, and only until it expires."""

from __future__ import annotations

import pytest

from crowdsketch.together import tickets

SECRET = "a test secret that is long enough"


def test_a_ticket_names_its_participant_in_its_room_only(monkeypatch: pytest.MonkeyPatch) -> None:
    room, other = tickets.new_room_id(), tickets.new_room_id()
    assert tickets.is_room_id(room) and room != other
    ticket = tickets.issue_ticket(SECRET, room, "p2")
    assert tickets.read_ticket(SECRET, room, ticket) == "p2"
    assert tickets.read_ticket(SECRET, other, ticket) is None
    assert tickets.read_ticket("another secret entirely, as long", room, ticket) is None
    # Another participant's id with this MAC, or a later expiry, is not a ticket.
    participant, expires, mac = ticket.split(".")
    assert tickets.read_ticket(SECRET, room, f"p1.{expires}.{mac}") is None
    assert tickets.read_ticket(SECRET, room, f"{participant}.{int(expires) + 1}.{mac}") is None
    assert tickets.read_ticket(SECRET, room, None) is None
    assert tickets.read_ticket(SECRET, room, "") is None

    now = tickets._clock()
    monkeypatch.setattr(tickets, "_clock", lambda: now + tickets.TICKET_TTL_S + 1)
    assert tickets.read_ticket(SECRET, room, ticket) is None
