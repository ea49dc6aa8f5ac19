"""DependencyGuard: retries, timeout, circuit breaker, and what is (not) a transient error."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.resilience import DependencyGuard, GuardPolicy, Guards
from tests.support.waiting import DEADLINE_S, eventually

POLICY = GuardPolicy(timeout_s=0.2, attempts=2, backoff_s=0.01, threshold=3, reset_s=0.5)


@pytest.fixture
def guards() -> Guards:
    return Guards(POLICY)


@pytest.fixture
def guard(guards: Guards) -> DependencyGuard:
    return guards.guard("thing", (ConnectionError,))


class Counted:
    """An async callable that counts its calls and fails the first `failures` of them."""

    def __init__(self, failures: int | float = 0, error: Callable[[], BaseException] = ConnectionError) -> None:
        self.calls = 0
        self.failures = failures
        self.error = error

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error()
        return "value"


async def _open_the_breaker(guard: DependencyGuard) -> None:
    failing = Counted(failures=float("inf"))
    for _ in range(POLICY.threshold):
        with pytest.raises(ServiceUnavailableError):
            await guard.call(failing)


async def test_a_successful_call_returns_its_value(guard: DependencyGuard, guards: Guards) -> None:
    fn = Counted()
    assert await guard.call(fn) == "value"
    assert fn.calls == 1
    assert guards.states() == {"thing": "closed"}


async def test_a_transient_failure_is_retried(guard: DependencyGuard) -> None:
    fn = Counted(failures=1)
    assert await guard.call(fn) == "value"
    assert fn.calls == 2


async def test_retry_false_makes_one_attempt(guard: DependencyGuard) -> None:
    fn = Counted(failures=1)
    with pytest.raises(ServiceUnavailableError):
        await guard.call(fn, retry=False)
    assert fn.calls == 1


async def test_a_persistent_transient_failure_is_a_503(guard: DependencyGuard) -> None:
    fn = Counted(failures=float("inf"))
    with pytest.raises(ServiceUnavailableError) as raised:
        await guard.call(fn)
    assert fn.calls == POLICY.attempts
    error = raised.value
    assert error.status_code == 503
    assert error.code == "SERVICE_UNAVAILABLE"
    assert "Retry-After" in error.headers()
    assert int(error.headers()["Retry-After"]) >= 1


async def test_errors_named_transient_for_the_dependency_count(guards: Guards) -> None:
    class StoreDown(Exception):
        pass

    guard = guards.guard("store", (StoreDown,))
    fn = Counted(failures=float("inf"), error=StoreDown)
    with pytest.raises(ServiceUnavailableError):
        await guard.call(fn)
    assert fn.calls == POLICY.attempts


async def test_the_breaker_opens_after_threshold_failures_and_then_fails_fast(
    guard: DependencyGuard, guards: Guards
) -> None:
    await _open_the_breaker(guard)
    assert guards.states()["thing"] == "opened"

    fn = Counted()
    with pytest.raises(ServiceUnavailableError) as raised:
        await guard.call(fn)
    assert fn.calls == 0, "an open breaker must not call the dependency"
    assert raised.value.status_code == 503
    assert "Retry-After" in raised.value.headers()


async def test_fewer_failures_than_the_threshold_leave_the_breaker_closed(
    guard: DependencyGuard, guards: Guards
) -> None:
    failing = Counted(failures=float("inf"))
    for _ in range(POLICY.threshold - 1):
        with pytest.raises(ServiceUnavailableError):
            await guard.call(failing)
    assert guards.states()["thing"] == "closed"
    # A success resets the count: threshold-1 more failures still leave it closed.
    assert await guard.call(Counted()) == "value"
    for _ in range(POLICY.threshold - 1):
        with pytest.raises(ServiceUnavailableError):
            await guard.call(failing)
    assert guards.states()["thing"] == "closed"
    fn = Counted()
    assert await guard.call(fn) == "value"
    assert fn.calls == 1


async def test_after_reset_s_a_successful_call_closes_the_breaker(guard: DependencyGuard, guards: Guards) -> None:
    await _open_the_breaker(guard)
    assert guards.states()["thing"] == "opened"

    fn = Counted()

    async def probe_succeeds() -> bool:
        try:
            return await guard.call(fn) == "value"
        except ServiceUnavailableError:
            return False

    await eventually(probe_succeeds, "the breaker letting a probe through")
    assert fn.calls == 1, "calls while the breaker was open must not reach the dependency"
    assert guards.states()["thing"] == "closed"
    assert await guard.call(fn) == "value"
    assert fn.calls == 2


async def test_a_failed_probe_reopens_the_breaker(guard: DependencyGuard, guards: Guards) -> None:
    await _open_the_breaker(guard)
    failing = Counted(failures=float("inf"))

    async def probe_reached_the_dependency() -> bool:
        with pytest.raises(ServiceUnavailableError):
            await guard.call(failing)
        return failing.calls > 0

    await eventually(probe_reached_the_dependency, "the breaker letting a probe through")
    assert guards.states()["thing"] == "opened"
    calls = failing.calls
    with pytest.raises(ServiceUnavailableError):
        await guard.call(failing)
    assert failing.calls == calls, "a failed probe must reopen the breaker at once"


async def test_a_non_transient_error_passes_through_and_does_not_open_the_breaker(
    guard: DependencyGuard, guards: Guards
) -> None:
    fn = Counted(failures=float("inf"), error=lambda: KeyError("missing"))
    for _ in range(POLICY.threshold * 4):
        with pytest.raises(KeyError) as raised:
            await guard.call(fn)
        assert type(raised.value) is KeyError
        assert raised.value.args == ("missing",)
    assert fn.calls == POLICY.threshold * 4, "a non-transient error must not be retried"
    assert guards.states()["thing"] == "closed"
    ok = Counted()
    assert await guard.call(ok) == "value"
    assert ok.calls == 1


async def test_a_call_exceeding_the_timeout_is_a_transient_failure(guard: DependencyGuard) -> None:
    calls = 0

    async def hangs() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(10)
        return "too late"

    with pytest.raises(ServiceUnavailableError) as raised:
        await asyncio.wait_for(guard.call(hangs), timeout=DEADLINE_S)
    assert raised.value.status_code == 503
    assert calls == POLICY.attempts


async def test_timeouts_count_towards_the_breaker(guard: DependencyGuard, guards: Guards) -> None:
    async def hangs() -> str:
        await asyncio.sleep(10)
        return "too late"

    for _ in range(POLICY.threshold):
        with pytest.raises(ServiceUnavailableError):
            await guard.call(hangs)
    assert guards.states()["thing"] == "opened"


async def test_protect_turns_a_transient_error_into_a_503(guard: DependencyGuard) -> None:
    with pytest.raises(ServiceUnavailableError) as raised:
        async with guard.protect():
            raise ConnectionError("connection reset")
    assert raised.value.status_code == 503
    assert "Retry-After" in raised.value.headers()


async def test_protect_passes_a_non_transient_error_through(guard: DependencyGuard, guards: Guards) -> None:
    for _ in range(POLICY.threshold * 2):
        with pytest.raises(ValueError, match="constraint"):
            async with guard.protect():
                raise ValueError("constraint violated")
    assert guards.states()["thing"] == "closed"


async def test_protect_counts_towards_the_breaker(guard: DependencyGuard, guards: Guards) -> None:
    for _ in range(POLICY.threshold):
        with pytest.raises(ServiceUnavailableError):
            async with guard.protect():
                raise TimeoutError
    assert guards.states()["thing"] == "opened"
    entered = False
    with pytest.raises(ServiceUnavailableError):
        async with guard.protect():
            entered = True
    assert not entered


async def test_breakers_are_per_dependency(guards: Guards) -> None:
    one = guards.guard("one", ())
    two = guards.guard("two", ())
    await _open_the_breaker(one)
    assert guards.states() == {"one": "opened", "two": "closed"}
    assert await two.call(Counted()) == "value"


async def test_a_cancelled_probe_does_not_close_the_breaker(guard: DependencyGuard, guards: Guards) -> None:
    """A probe cancelled before the dependency answered (say, the client went away) says
    nothing about the dependency's health, so it must not close the breaker."""
    await _open_the_breaker(guard)

    entered = asyncio.Event()

    async def hangs() -> str:
        entered.set()
        await asyncio.sleep(10)
        return "too late"

    deadline = time.monotonic() + DEADLINE_S
    while True:
        probe = asyncio.create_task(guard.call(hangs))
        waiter = asyncio.create_task(entered.wait())
        await asyncio.wait({probe, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if entered.is_set():
            break
        waiter.cancel()
        with pytest.raises(ServiceUnavailableError):
            probe.result()  # still open: failed fast
        assert time.monotonic() < deadline, "the breaker never let a probe through"
        await asyncio.sleep(0.05)

    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert guards.states()["thing"] != "closed"
