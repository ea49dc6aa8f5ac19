"""The drawings arriving, for the admins' live view: `drawings.stats` on the event stream,
at most once a second while drawings are stored (counts since the previous one, per shape
and per minute), nothing while none is. Each process counts what it stored."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from datetime import datetime

from crowdsketch.events.bus import EventBus

INTERVAL_S = 1.0


class DrawingActivity:
    def __init__(self, events: EventBus, interval_s: float = INTERVAL_S) -> None:
        self._events = events
        self._interval_s = interval_s
        self._per_shape: Counter[str] = Counter()
        self._per_minute: Counter[datetime] = Counter()
        self._last = 0.0
        self._task: asyncio.Task[None] | None = None

    def record(self, shape_id: str, at: datetime) -> None:
        self._per_shape[shape_id] += 1
        self._per_minute[at.replace(second=0, microsecond=0)] += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._publish_soon())

    async def _publish_soon(self) -> None:
        await asyncio.sleep(max(0.0, self._last + self._interval_s - time.monotonic()))
        await self._publish()

    async def _publish(self) -> None:
        per_shape, per_minute = self._per_shape, self._per_minute
        self._per_shape, self._per_minute = Counter(), Counter()
        self._last = time.monotonic()
        await self._events.publish("drawings.stats", {
            "drawings": sum(per_shape.values()),
            "perShape": dict(sorted(per_shape.items())),
            "perMinute": [{"minute": minute.isoformat(), "count": count} for minute, count in sorted(per_minute.items())],
        })

    async def close(self) -> None:
        """What was counted since the last event is told now (a command ending)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._per_shape:
            await self._publish()
