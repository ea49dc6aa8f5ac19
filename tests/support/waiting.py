"""Waiting for a condition, the one way tests express time.

A test never sleeps a fixed time and then asserts: on a busy 2-core machine any fixed
sleep is too short some day. It polls for the condition it expects, with a deadline of
seconds that only a real failure (the thing never happens) runs into. The deadline is a
bound on a bug, not a performance target, so it is generous.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Long enough that a slow moment on a loaded machine never reaches it; short enough that a
# condition that will never hold fails the test in reasonable time.
DEADLINE_S = 30.0
# For a training job to end: the jobs in tests are small, but they train, and on a loaded
# machine the worker gets a fraction of a core.
JOB_DEADLINE_S = 300.0


async def eventually(
    check: Callable[[], T | Awaitable[T]],
    what: str,
    *,
    within_s: float = DEADLINE_S,
    interval_s: float = 0.05,
) -> T:
    """Poll `check` (sync or async) until it returns something true, and return that.
    Fails with `what` if it has not happened within `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        assert time.monotonic() < deadline, f"{what}: not within {within_s:g} s"
        await asyncio.sleep(interval_s)


def wait_until(
    check: Callable[[], T],
    what: str,
    *,
    within_s: float = DEADLINE_S,
    interval_s: float = 0.1,
) -> T:
    """The blocking form of `eventually`, for tests that drive processes or a browser."""
    deadline = time.monotonic() + within_s
    while not (result := check()):
        assert time.monotonic() < deadline, f"{what}: not within {within_s:g} s"
        time.sleep(interval_s)
    return result
