"""The drawing clients of bench/together.py: one process's share of the rooms' participants.

Each participant is a `RoomClient` (tests/support/together.py, the y-websocket protocol as
the browser's provider speaks it) that draws at `rate` points a second, one Yjs update per
point: a stroke is started with its first point and grows by one point at a time, a new one
every `STROKE_POINTS`. A point's `t` is the sender's wall clock in ms when it was drawn, so
whoever receives it knows when it was sent (one machine, one clock). Each client observes
its `strokes` deeply and, for every point another client drew, records the time from that
`t` to the moment its own document had it: the latency a person sees between a point drawn
elsewhere and its appearance on their canvas, the client's own receiving included.

This process's event loop is itself measured: a ticker asks for 10 ms sleeps and records how
late each wakes (the loop lag), since every latency here also waits on this loop.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from array import array
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from pycrdt import Array, Map

STROKE_POINTS = 40  # a new stroke every 40 points (about two thirds of a second at 60/s)
TICK_S = 0.010
DRAIN_QUIET_S = 1.0  # after the drawing: done when nothing has arrived for this long
DRAIN_MAX_S = 10.0


@dataclass(frozen=True)
class Seat:
    """One participant: its room (the run's index and the server's id) and its join answer."""
    room: int
    room_id: str
    joined: dict[str, Any]


@dataclass(frozen=True)
class Schedule:
    """Wall-clock times (time.time()) of the drawing: start, the measured window, stop."""
    start: float
    measure_from: float
    stop: float


@dataclass
class Outcome:
    """What one process saw; latencies as raw doubles (ms) so they pickle cheaply."""
    latencies: bytes = b""
    received: dict[int, int] = field(default_factory=dict)  # per room: (point, receiver) pairs in the window
    sent: dict[int, int] = field(default_factory=dict)  # per room: points drawn in the window
    sent_total: int = 0
    lag_ms: bytes = b""
    closed: list[int] = field(default_factory=list)  # close codes of sockets the server ended
    late_draws: int = 0  # points drawn more than one interval behind their schedule


class Drawer:
    """A participant that draws and times what the others draw."""

    def __init__(self, client: Any, seat: Seat, rate: float, schedule: Schedule, latencies: array) -> None:
        self.client = client
        self.seat = seat
        self.rate = rate
        self.schedule = schedule
        self.latencies = latencies
        self.received = 0
        self.sent = 0
        self.sent_total = 0
        self.late = 0
        self.last_arrival = time.monotonic()
        self._drawing = False  # our own append is being applied: not an arrival
        self._lo, self._hi = schedule.measure_from * 1000, schedule.stop * 1000
        client.strokes.observe_deep(self._arrived)

    def _arrived(self, events: list[Any]) -> None:
        if self._drawing:
            return
        now = time.time() * 1000
        self.last_arrival = time.monotonic()
        for event in events:
            for change in event.delta:
                for item in change.get("insert", ()):
                    points = item["points"].to_py() if isinstance(item, Map) else [item]
                    for point in points:
                        sent_at = point[2]
                        if self._lo <= sent_at < self._hi:
                            self.latencies.append(now - sent_at)
                            self.received += 1

    def _point(self, n: int) -> list[float]:
        # A slow circle around the room's middle, different for each seat; x, y in the 500 canvas.
        angle = 2 * math.pi * n / 240 + int(self.seat.joined["participant"]["id"][1:])
        radius = 60 + 40 * (n % STROKE_POINTS) / STROKE_POINTS
        return [250 + radius * math.cos(angle), 250 + radius * math.sin(angle), time.time() * 1000]

    async def draw(self) -> None:
        interval = 1 / self.rate
        first = self.schedule.start + random.random() * interval  # participants out of step, as people are
        stroke: Array | None = None
        n = 0
        while True:
            due = first + n * interval
            if due >= self.schedule.stop:
                return
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif -delay > interval:
                self.late += 1
            point = self._point(n)
            self._drawing = True
            try:
                if n % STROKE_POINTS == 0:
                    stroke = self.client.start_stroke(point)
                else:
                    assert stroke is not None
                    stroke.append(point)
            finally:
                self._drawing = False
            self.sent_total += 1
            if self._lo <= point[2] < self._hi:
                self.sent += 1
            n += 1


async def _ticker(schedule: Schedule, lags: array) -> None:
    while True:
        asked = time.monotonic()
        await asyncio.sleep(TICK_S)
        late = time.monotonic() - asked - TICK_S
        if schedule.measure_from <= time.time() < schedule.stop:
            lags.append(late * 1000)


async def _wait_for(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _run(url: str, seats: list[Seat], rate: float, per_room: dict[int, int], conn: Connection) -> Outcome:
    from tests.support.together import RoomClient

    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(RoomClient(url, seat.room_id, seat.joined)) for seat in seats]
        # Everyone in each room (here or in the other process) is on it before anyone draws.
        await _wait_for(lambda: all(len(c.people()) >= per_room[s.room] for c, s in zip(clients, seats, strict=True)),
                        60, "every participant to see the whole room")
        conn.send("ready")
        schedule: Schedule = await asyncio.to_thread(conn.recv)
        latencies, lags = array("d"), array("d")
        drawers = [Drawer(c, s, rate, schedule, latencies) for c, s in zip(clients, seats, strict=True)]
        ticker = asyncio.create_task(_ticker(schedule, lags))
        await asyncio.gather(*(d.draw() for d in drawers))
        await _wait_for(lambda: time.monotonic() - max(d.last_arrival for d in drawers) > DRAIN_QUIET_S
                        or time.time() > schedule.stop + DRAIN_MAX_S, DRAIN_MAX_S + 5, "the drain")
        ticker.cancel()
        outcome = Outcome(latencies=latencies.tobytes(), lag_ms=lags.tobytes(),
                          sent_total=sum(d.sent_total for d in drawers), late_draws=sum(d.late for d in drawers),
                          closed=[c.closed_code for c in clients if c.closed_code is not None])
        for d in drawers:
            outcome.received[d.seat.room] = outcome.received.get(d.seat.room, 0) + d.received
            outcome.sent[d.seat.room] = outcome.sent.get(d.seat.room, 0) + d.sent
        return outcome


def run_clients(url: str, seats: list[Seat], rate: float, per_room: dict[int, int], conn: Connection) -> None:
    """A process's entry point: connect `seats`, send "ready", receive the `Schedule`, draw,
    send the `Outcome` (or the error's text)."""
    import uvloop

    try:
        conn.send(uvloop.run(_run(url, seats, rate, per_room, conn)))
    except BaseException as error:  # noqa: BLE001 - the parent reports it
        conn.send(f"{type(error).__name__}: {error}")
    finally:
        conn.close()
