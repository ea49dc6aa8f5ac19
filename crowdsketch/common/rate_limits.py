"""How many requests of one kind (drawings, votes) one contributor session, and one client
address, may make in a window. Counted in the key-value store, so every process of a
deployment shares the counts: `incr` starts a fixed window with the first request counted,
and a request past the limit gets 429 with `Retry-After` set to what is left of the window.
A limit of 0 is off.

Every attempt counts, a refused or invalid one included: the limits are there for clients
that send too much, whatever they send.
"""

from __future__ import annotations

from crowdsketch.errors import RateLimitedError
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard


class WindowLimits:
    def __init__(
        self,
        kv: KeyValueStore,
        kv_guard: DependencyGuard,
        *,
        what: str,
        window_s: int,
        per_session: int,
        per_address: int,
    ) -> None:
        """`what` names the requests counted, in the keys and in the refusal ("drawings")."""
        self._kv = kv
        self._guard = kv_guard
        self._what = what
        self._window_s = window_s
        self._per_session = per_session
        self._per_address = per_address

    def _limits(self, session_id: str | None, address: str) -> list[tuple[str, int, str]]:
        limits: list[tuple[str, int, str]] = []
        if self._per_session and session_id is not None:
            limits.append((f"rate:{self._what}:session:{session_id}", self._per_session, "this session"))
        if self._per_address:
            limits.append((f"rate:{self._what}:address:{address}", self._per_address, "this address"))
        return limits

    async def count(self, session_id: str | None, address: str) -> None:
        """Count one request against both limits, in one round trip; raise `RateLimitedError`
        when it passes either. A request without a session is held to the address limit alone."""
        limits = self._limits(session_id, address)
        if not limits:
            return
        # Retried like every call to the store (a stale pooled connection after a Redis restart
        # must not fail the request); a retry after a lost reply counts the attempt twice,
        # which limits this generous can afford.
        counted = await self._guard.call(lambda: self._kv.incr_many([(key, self._window_s) for key, _, _ in limits]))
        self._refuse_past(limits, counted)

    async def count_then_set_nx(self, session_id: str | None, address: str, key: str, value: bytes, ttl_s: float) -> bool:
        """`count`, and then, unless it refuses, `set_nx(key, value, ttl_s)` (an idempotency
        claim), in the same round trip: whether the key was set."""
        limits = self._limits(session_id, address)
        counters = [(name, float(self._window_s), limit) for name, limit, _ in limits]
        counted, claimed = await self._guard.call(lambda: self._kv.incr_many_then_set_nx(counters, key, value, ttl_s))
        self._refuse_past(limits, counted)
        assert claimed is not None, "a claim is only skipped past a limit"
        return claimed

    def _refuse_past(self, limits: list[tuple[str, int, str]], counted: list[tuple[int, float]]) -> None:
        refusals = [
            RateLimitedError(
                f"More than {limit} {self._what} from {source} in {self._window_s} s; retry after the Retry-After seconds.",
                retry_after_s=window_left_s,
            )
            for (_, limit, source), (count, window_left_s) in zip(limits, counted, strict=True)
            if count > limit
        ]
        if refusals:
            raise max(refusals, key=lambda refusal: refusal.retry_after_s)
