"""Retries with backoff (tenacity) and a circuit breaker (purgatory) around each dependency.

A call to a dependency that fails with a transient error (connection refused, timeout,
reset) is retried briefly; when the retries are spent the breaker counts a failure and the
caller gets `ServiceUnavailableError` (503 + Retry-After). Once `threshold` calls in a row
have failed the breaker opens and every call fails at once, without touching the
dependency, until `reset_s` has passed; then the next call is let through as a probe.
Errors that are not transient (a missing key, a constraint violation) pass through
untouched and do not count against the dependency.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.service._async.circuitbreaker import AsyncCircuitBreaker
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.metrics import BREAKER_STATE, DEPENDENCY_FAILURES

T = TypeVar("T")

_STATE_VALUES = {"closed": 0, "half-opened": 1, "opened": 2}


class DependencyDown(Exception):
    """The internal marker of a transient failure: the only exception the breaker counts."""


@dataclass(frozen=True)
class GuardPolicy:
    timeout_s: float
    attempts: int
    backoff_s: float
    threshold: int
    reset_s: float


class DependencyGuard:
    """Protects every call to one named dependency."""

    def __init__(
        self,
        name: str,
        policy: GuardPolicy,
        transient: tuple[type[BaseException], ...],
        breakers: AsyncCircuitBreakerFactory,
        also_transient: Callable[[BaseException], bool] | None = None,
    ) -> None:
        self.name = name
        self.policy = policy
        self.transient = (*transient, TimeoutError, ConnectionError)
        self._also_transient = also_transient
        self._breakers = breakers
        self.state = "closed"
        self._breaker: AsyncCircuitBreaker | None = None
        BREAKER_STATE.labels(dependency=name).set(0)

    def is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, self.transient) or (self._also_transient is not None and self._also_transient(exc))

    def on_state_changed(self, state: str) -> None:
        self.state = state
        BREAKER_STATE.labels(dependency=self.name).set(_STATE_VALUES.get(state, 0))

    async def call(self, fn: Callable[[], Awaitable[T]], *, retry: bool = True) -> T:
        """Run `fn` (a fresh coroutine per attempt) with timeout, retries and the breaker."""
        async with self.protect():
            try:
                async with asyncio.timeout(self.policy.timeout_s):
                    return await fn()
            except Exception as exc:
                if not self.is_transient(exc):
                    raise
                # The first attempt is made above without building the retry machinery,
                # which costs more than the call on the hot path.
                if not retry or self.policy.attempts == 1:
                    raise DependencyDown(f"{self.name}: {type(exc).__name__}: {exc}") from exc
            await asyncio.sleep(self.policy.backoff_s)
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self.policy.attempts - 1),
                    wait=wait_exponential_jitter(
                        multiplier=self.policy.backoff_s, max=self.policy.backoff_s * 4, jitter=self.policy.backoff_s
                    ),
                    retry=retry_if_exception(self.is_transient),
                    reraise=True,
                ):
                    with attempt:
                        async with asyncio.timeout(self.policy.timeout_s):
                            return await fn()
            except Exception as exc:
                if not self.is_transient(exc):
                    raise
                raise DependencyDown(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @asynccontextmanager
    async def protect(self) -> AsyncIterator[None]:
        """Count a block of work (e.g. a database transaction) against the breaker, without
        retrying it: a transient error inside becomes a 503."""
        if self._breaker is None:
            self._breaker = await self._breakers.get_breaker(
                self.name, exclude=[(BaseException, lambda exc: not isinstance(exc, DependencyDown))]
            )
        breaker = self._breaker
        probe_cancelled = False
        try:
            async with breaker:
                try:
                    yield
                except DependencyDown:
                    raise
                except Exception as exc:
                    if not self.is_transient(exc):
                        raise
                    raise DependencyDown(f"{self.name}: {type(exc).__name__}: {exc}") from exc
                except asyncio.CancelledError:
                    # A probe cancelled before the dependency answered proves nothing, and
                    # must not close the breaker. Outside a probe, a cancellation ends the call
                    # like any other non-transient exit.
                    if breaker.context.state != "half-opened":
                        raise
                    probe_cancelled = True
                    raise DependencyDown(f"{self.name}: probe cancelled") from None
        except OpenedState as opened:
            remaining = opened.opened_at + self.policy.reset_s - time.time()
            raise ServiceUnavailableError(
                f"The {self.name} is unavailable; retry shortly.", retry_after_s=max(1.0, math.ceil(remaining))
            ) from None
        except DependencyDown as down:
            if probe_cancelled:
                raise asyncio.CancelledError() from None
            DEPENDENCY_FAILURES.labels(dependency=self.name).inc()
            raise ServiceUnavailableError(
                f"The {self.name} is unavailable; retry shortly.", retry_after_s=1
            ) from down


class Guards:
    """One guard per dependency, sharing one breaker registry."""

    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy
        self._breakers = AsyncCircuitBreakerFactory(default_threshold=policy.threshold, default_ttl=policy.reset_s)
        self._breakers.add_listener(self._on_breaker_event)
        self._guards: dict[str, DependencyGuard] = {}

    def guard(
        self,
        name: str,
        transient: tuple[type[BaseException], ...],
        also_transient: Callable[[BaseException], bool] | None = None,
    ) -> DependencyGuard:
        self._guards[name] = DependencyGuard(name, self.policy, transient, self._breakers, also_transient)
        return self._guards[name]

    def states(self) -> dict[str, str]:
        return {name: guard.state for name, guard in self._guards.items()}

    def _on_breaker_event(self, name: str, event_name: str, event: object) -> None:
        if event_name == "state_changed" and name in self._guards:
            self._guards[name].on_state_changed(getattr(event, "state", "closed"))
