"""Drawing together over HTTP and a WebSocket (service.py says how a room works).

- `POST /api/together` makes a room; its link is `/together/{roomId}`.
- `POST /api/together/{roomId}/join` names the session's participant in the room and
  hands out the socket's ticket.
- `GET /api/together/{roomId}` (WebSocket, `?ticket=`) is the shared canvas, in the
  y-websocket protocol. The `Origin` must be this site's; a refused socket is accepted and
  closed at once with its code (room.py), since a browser's script sees close codes, not
  an upgrade's HTTP status.
- `POST /api/together/{roomId}/ready {round}`: the participant's Submit; the round is
  stored when everyone present has pressed it.

Every call needs the session's consent to the current terms, as a drawing does.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, WebSocket, WebSocketDisconnect
from pydantic import ConfigDict, Field

from crowdsketch.common.contributors import SESSION_ID_PATTERN
from crowdsketch.common.origins import origin_allowed
from crowdsketch.common.schemas import CamelModel, ShapeRef
from crowdsketch.datasets.consent import require_consent
from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import AppError
from crowdsketch.together.room import (
    CLOSE_FOREIGN_ORIGIN, CLOSE_ROOM_CLOSED, CLOSE_ROOM_FULL, CLOSE_TICKET_REFUSED, Abuse, Client,
)
from crowdsketch.together.tickets import ROOM_ID_PATTERN, issue_ticket, read_ticket

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/together", tags=["drawing together"])

SessionHeader = Annotated[str, Header(alias="X-Session-Id", pattern=SESSION_ID_PATTERN,
                                      description="The contributor's session, as for a drawing.")]
RoomId = Annotated[str, Path(pattern=ROOM_ID_PATTERN, description="The room's id, from its link")]


class RoomCreated(CamelModel):
    room_id: str
    path: str = Field(description="The room's page: share it to invite")


class ParticipantRead(CamelModel):
    id: str
    name: str = Field(description='"Guest 2": how the room shows this person')
    color: str = Field(description="The person's ink, #rrggbb")


class Joined(CamelModel):
    ticket: str = Field(description="For the socket: `/api/together/{roomId}?ticket=...`")
    participant: ParticipantRead
    limit: int = Field(description="People a room takes at once")
    round: int
    prompt: ShapeRef


class ReadyRequest(CamelModel):
    model_config = ConfigDict(extra="forbid")


    round: int = Field(ge=1, strict=True, description="The round the Submit is for")


class StoredRound(CamelModel):
    id: str
    quality_score: float
    contributors: int


class ReadyAnswer(CamelModel):
    round: int
    ready: list[str] = Field(description="Who pressed Submit this round")
    waiting_for: list[str] = Field(description="Who has not yet; empty when the round was stored")
    drawing: StoredRound | None = Field(description="The stored drawing, once everyone is ready")


CONSENT = {403: {"description": "`CONSENT_REQUIRED`: the session has not agreed to the current terms"}}
UNAVAILABLE = {503: {"description": "A dependency is down; retry after `Retry-After` seconds"}}
ROOM_ERRORS: dict[int | str, dict[str, Any]] = {
    **CONSENT,
    404: {"description": "`ROOM_NOT_FOUND`"},
    409: {"description": "`ROOM_FULL`: as many people as the room takes; `ROUND_OVER`: that round is stored; "
                         "`NOT_IN_ROOM`: Submit without the room's socket open"},
    410: {"description": "`ROOM_CLOSED`: the room closed after 30 minutes without drawing"},
    **UNAVAILABLE,
}


@router.post("", status_code=201, response_model=RoomCreated, responses={**CONSENT, **UNAVAILABLE})
async def create_room(resources: ResourcesDep, session_id: SessionHeader) -> RoomCreated:
    """A new room with a first prompt; anyone with its link may join."""
    await require_consent(resources, session_id)
    room_id = await resources.together.create(session_id)
    return RoomCreated(room_id=room_id, path=f"/together/{room_id}")


@router.post("/{room_id}/join", response_model=Joined, responses=ROOM_ERRORS)
async def join_room(resources: ResourcesDep, room_id: RoomId, session_id: SessionHeader) -> Joined:
    """This session's participant in the room (the same one when it comes back) and a ticket
    for the room's socket."""
    await require_consent(resources, session_id)
    room, participant = await resources.together.join(room_id, session_id)
    return Joined(
        ticket=issue_ticket(resources.settings.secret_key, room_id, participant.id),
        participant=ParticipantRead(**participant.public()), limit=resources.together.limits.people,
        round=room.state.round, prompt=ShapeRef(**room.state.prompt),
    )


@router.post("/{room_id}/ready", response_model=ReadyAnswer, responses={400: {"description": "`EMPTY_DRAWING`"}, **ROOM_ERRORS})
async def ready(resources: ResourcesDep, room_id: RoomId, session_id: SessionHeader, body: ReadyRequest) -> dict[str, Any]:
    """Submit: this participant is done with the round. When everyone present is, the
    drawing is stored (once) and the room moves to its next prompt."""
    await require_consent(resources, session_id)
    return await resources.together.ready(room_id, session_id, body.round)


@router.websocket("/{room_id}")
async def room_socket(websocket: WebSocket, room_id: str, ticket: Annotated[str | None, Query()] = None) -> None:
    resources = websocket.app.state.resources
    await websocket.accept()
    if not origin_allowed(websocket, resources.settings.allowed_origins):
        await websocket.close(CLOSE_FOREIGN_ORIGIN, "foreign origin")
        return
    participant_id = read_ticket(resources.settings.secret_key, room_id, ticket)
    if participant_id is None:
        await websocket.close(CLOSE_TICKET_REFUSED, "join the room first")
        return
    service = resources.together
    try:
        room = await service.room(room_id)
    except AppError as error:
        await websocket.close(CLOSE_ROOM_CLOSED, error.message[:120])
        return
    participant = room.participant(participant_id)
    if participant is None:
        await websocket.close(CLOSE_TICKET_REFUSED, "join the room first")
        return
    client = Client(websocket, participant, service.limits.updates_per_s)
    if not room.admit(client):
        await client.close(CLOSE_ROOM_FULL, "the room is full")
        return
    try:
        room.greet(client)
        while True:
            room.receive(client, await websocket.receive_bytes())
    except Abuse as abuse:
        logger.info("together socket closed: %s", abuse.reason)
        await room.leave(client)
        await client.close(abuse.code, abuse.reason)
    except (WebSocketDisconnect, RuntimeError, KeyError):  # gone, or sent text where bytes belong
        await room.leave(client)
    finally:
        room.clients.discard(client)
        await service.left(room)
