"""Drawing together: rooms made, joined, drawn in and submitted.

A process holds the rooms its sockets are on (`rooms`), loaded from the database when the
first socket or request arrives and saved a moment after each change (`SAVE_AFTER_S`), so a
room outlives the process. In the distributed topology nginx sends every request of a room
to one collection process (a consistent hash on the room id, deploy/nginx.conf.template),
so a room's sockets meet in one place; if that process goes, the room moves to another,
which loads the saved document, and each browser's own copy fills in anything newer when
it reconnects (Yjs sync).

Submit: a round is stored when everyone present has pressed Submit ("ready"), once, with
the idempotency key `together:{room}:{round}`; its owner row is the participant who drew
its first stroke, and every participant who drew is recorded as a contributor, with their
strokes, and counted in their stats. Then the room moves to the next prompt together.
A room idle for `together_idle_s` (30 min) closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

from crowdsketch.collection.service import CollectionService, Submission
from crowdsketch.db.engine import Database
from crowdsketch.db.models import DrawingContributor
from crowdsketch.errors import AppError, ConflictError, GoneError, NotFoundError, ValidationError
from crowdsketch.strokes import StrokeData
from crowdsketch.together.room import CLOSE_ROOM_CLOSED, Participant, Room, RoomLimits, RoomState
from crowdsketch.together.store import RoomStore
from crowdsketch.together.tickets import new_room_id

logger = logging.getLogger(__name__)

SAVE_AFTER_S = 2.0
CANVAS = 500  # the shared canvas's logical side, the same on every screen
# One ink a participant, in joining order (the ninth gets the first again).
COLORS = ("#d62828", "#1d4ed8", "#2a9d3f", "#9c27b0", "#e76f00", "#00838f", "#6d4c41", "#c2185b")


class RoomNotFound(NotFoundError):
    code = "ROOM_NOT_FOUND"


class RoomClosed(GoneError):
    code = "ROOM_CLOSED"


class RoomFull(ConflictError):
    code = "ROOM_FULL"


class RoundOver(ConflictError):
    code = "ROUND_OVER"


class NotInRoom(ConflictError):
    code = "NOT_IN_ROOM"


class EmptyDrawing(ValidationError):
    code = "EMPTY_DRAWING"


class TogetherService:
    def __init__(self, db: Database, collection: CollectionService, *, limits: RoomLimits, idle_s: float,
                 licence: str | None) -> None:
        self._store = RoomStore(db)
        self._collection = collection
        self.limits = limits
        self._idle_s = idle_s
        self._licence = licence
        self.rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._saves: dict[str, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def create(self, session_id: str) -> str:
        shape = await self._collection.catalog.next_prompt(None)
        room_id = new_room_id()
        await self._store.create(RoomState(id=room_id, created_by=session_id, round=1,
                                           prompt={"id": shape.id, "name": shape.name}))
        return room_id

    async def join(self, room_id: str, session_id: str) -> tuple[Room, Participant]:
        room = await self.room(room_id)
        participant = next((p for p in room.state.participants if p.session_id == session_id), None)
        present = room.present()
        if (participant is None or participant.id not in present) and len(present) >= self.limits.people:
            raise RoomFull(f"the room has {self.limits.people} people in it, its limit")
        if participant is None:
            number = len(room.state.participants) + 1
            participant = Participant(id=f"p{number}", session_id=session_id, name=f"Guest {number}",
                                      color=COLORS[(number - 1) % len(COLORS)])
            room.state.participants.append(participant)
            await self._store.save(room.state, room.document())
        return room, participant

    async def room(self, room_id: str) -> Room:
        """The room, loaded here if this process does not hold it yet."""
        room = self.rooms.get(room_id)
        if room is not None:
            return room
        lock = self._loading.setdefault(room_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(room_id)
            if room is not None:
                return room
            names = {shape.id: shape.name for shape in await self._collection.catalog.active_shapes()}
            stored = await self._store.load(room_id, names)
            if stored is None:
                raise RoomNotFound(f"no room {room_id!r}")
            idle = (time.time() - stored.last_active_at.timestamp()) > self._idle_s
            if stored.closed or idle:
                if not stored.closed:
                    await self._store.close(room_id)
                raise RoomClosed("the room closed after 30 minutes without drawing; start a new one")
            room = Room(stored.state, stored.document, self.limits, lambda: self._save_soon(room_id))
            self.rooms[room_id] = room
            self._start_sweeper()
            return room

    async def ready(self, room_id: str, session_id: str, round_: int) -> dict[str, Any]:
        room = await self.room(room_id)
        participant = next((p for p in room.state.participants if p.session_id == session_id), None)
        if participant is None:
            raise NotFoundError("join the room first (POST /api/together/{roomId}/join)")
        async with room.lock:
            if round_ != room.state.round:
                raise RoundOver(f"round {round_} is over; the room is on round {room.state.round}")
            strokes = room.drawing()
            if not strokes:
                raise EmptyDrawing("nothing is drawn yet")
            # Whose Submit counts is decided among the sockets on this process: one whose own
            # socket is elsewhere (nginx moving the room) must not end the round alone.
            if participant.id not in room.present():
                raise NotInRoom("open the room's canvas (its socket) before pressing Submit")
            room.mark_ready(participant.id)
            waiting = room.present() - room.ready
            answer: dict[str, Any] = {"round": round_, "ready": self._names(room, room.ready),
                                      "waitingFor": self._names(room, waiting), "drawing": None}
            if not waiting:
                answer["drawing"] = await self._store_round(room, strokes)
            return answer

    @staticmethod
    def _names(room: Room, ids: set[str]) -> list[str]:
        return [p.name for p in room.state.participants if p.id in ids]

    async def _store_round(self, room: Room, strokes: Sequence[tuple[str, list[list[float]]]]) -> dict[str, Any]:
        start = min(point[2] for _, points in strokes for point in points)
        data = StrokeData.model_validate({
            "canvas": {"width": CANVAS, "height": CANVAS},
            "strokes": [[[float(x), float(y), max(0.0, float(t) - start)] for x, y, t in points] for _, points in strokes],
            "duration_ms": int(max(point[2] for _, points in strokes for point in points) - start),
            "device": "mouse",
        })
        by_participant: dict[str, list[int]] = {}
        for index, (author, _) in enumerate(strokes):
            by_participant.setdefault(author, []).append(index)
        people = {p.id: p for p in room.state.participants}
        contributors = [DrawingContributor(session_id=people[pid].session_id, name=people[pid].name,
                                           color=people[pid].color, strokes=indices)
                        for pid, indices in by_participant.items() if pid in people]
        owner = contributors[0].session_id
        stored = await self._collection.submit(Submission(
            session_id=owner, shape_id=room.state.prompt["id"], stroke_data=data,
            idempotency_key=f"together:{room.state.id}:{room.state.round}", source="together", licence=self._licence,
        ))
        body = stored.body
        await self._store.record_contributors(uuid.UUID(str(body["id"])), owner, contributors)
        saved = {"round": room.state.round, "drawingId": str(body["id"]), "qualityScore": body["qualityScore"]}
        next_shape = body["nextShape"]
        room.next_round({"id": next_shape["id"], "name": next_shape["name"]}, saved)
        await self._save_now(room)
        return {"id": str(body["id"]), "qualityScore": body["qualityScore"], "contributors": len(contributors)}

    # Saving and closing.
    def _save_soon(self, room_id: str) -> None:
        if room_id in self._saves and not self._saves[room_id].done():
            return
        self._saves[room_id] = asyncio.ensure_future(self._save_later(room_id))

    async def _save_later(self, room_id: str) -> None:
        await asyncio.sleep(SAVE_AFTER_S)
        room = self.rooms.get(room_id)
        if room is not None:
            await self._save_now(room)

    async def _save_now(self, room: Room) -> None:
        document = room.document()
        try:
            await self._store.save(room.state, document, room.saved)
            room.saved = document
        except AppError:  # the database is away: the next change, or the browsers, bring it back
            logger.warning("could not save together room; it stays in memory")

    async def left(self, room: Room) -> None:
        """A socket left: a room with nobody on it here is saved and let go."""
        if room.clients:
            return
        await self._save_now(room)
        if not room.clients and self.rooms.get(room.state.id) is room:
            del self.rooms[room.state.id]

    def _start_sweeper(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.ensure_future(self._sweep())

    async def _sweep(self) -> None:
        while self.rooms:
            await asyncio.sleep(min(60.0, self._idle_s / 4))
            now = time.monotonic()
            for room in [r for r in self.rooms.values() if now - r.last_active > self._idle_s]:
                self.rooms.pop(room.state.id, None)
                await room.close(CLOSE_ROOM_CLOSED, "the room closed after 30 minutes without drawing")
                with contextlib.suppress(AppError):
                    await self._store.close(room.state.id)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for task in self._saves.values():
            task.cancel()
        for room in list(self.rooms.values()):
            await self._save_now(room)
            await room.close(1001, "the server is restarting")
        self.rooms.clear()
