"""Room ids, and the ticket that lets a joined participant's socket in.

A browser cannot set headers on a WebSocket, and the session id is a bearer secret that
must not travel in a URL (it would sit in proxy logs). So `POST /api/together/{room}/join`
checks the session (header) and hands out a ticket: the participant's id and an expiry,
MACed (HMAC-SHA256, the secret key) together with the room id. The socket's
`?ticket=` names the participant without naming the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

ROOM_ID_PATTERN = r"^[A-Za-z0-9_-]{22}$"
_ROOM_ID = re.compile(ROOM_ID_PATTERN)
_TICKET = re.compile(r"^(p[0-9]{1,4})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")
_PURPOSE = b"crowdsketch together ticket v1\x00"
TICKET_TTL_S = 12 * 3600  # a socket that drops reconnects with the same ticket

# Where expiries are read from; tests move it.
_clock: Callable[[], float] = time.time


def new_room_id() -> str:
    """128 random bits: the link is the invitation, so it must not be guessable."""
    return secrets.token_urlsafe(16)


def is_room_id(value: str) -> bool:
    return _ROOM_ID.match(value) is not None


def _mac(secret: str, room_id: str, participant_id: str, expires: int) -> str:
    message = _PURPOSE + f"{room_id}\x00{participant_id}\x00{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_ticket(secret: str, room_id: str, participant_id: str) -> str:
    expires = int(_clock()) + TICKET_TTL_S
    return f"{participant_id}.{expires}.{_mac(secret, room_id, participant_id, expires)}"


def read_ticket(secret: str, room_id: str, ticket: str | None) -> str | None:
    """The participant id the ticket was issued to for this room; None if it is not one."""
    match = _TICKET.match(ticket or "")
    if match is None:
        return None
    participant_id, expires, mac = match.group(1), int(match.group(2)), match.group(3)
    if expires < _clock():
        return None
    if not hmac.compare_digest(mac, _mac(secret, room_id, participant_id, expires)):
        return None
    return participant_id
