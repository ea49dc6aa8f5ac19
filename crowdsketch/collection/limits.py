"""How many drawings one contributor session, and one client address, may submit in a
window. Counted in the key-value store, so every process of a deployment shares the counts:
`incr` starts a fixed window with the first submission counted, and a submission past the
limit gets 429 with `Retry-After` set to what is left of the window. A limit of 0 is off.

Every attempt counts, a refused or invalid one included: the limits are there for clients
that send too much, whatever they send.
"""

from __future__ import annotations

from crowdsketch.errors import RateLimitedError
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard


class SubmissionLimits:
    def __init__(
        self, kv: KeyValueStore, kv_guard: DependencyGuard, *, window_s: int, per_session: int, per_address: int
    ) -> None:
        self._kv = kv
        self._guard = kv_guard
        self._window_s = window_s
        self._per_session = per_session
        self._per_address = per_address

    async def count(self, session_id: str | None, address: str) -> None:
        """Count one submission against both limits; raise `RateLimitedError` when it passes
        either. A request without a session is held to the address limit alone."""
        refusals: list[RateLimitedError] = []
        if self._per_session and session_id is not None:
            refusals += await self._count(f"rate:drawings:session:{session_id}", self._per_session, "this session")
        if self._per_address:
            refusals += await self._count(f"rate:drawings:address:{address}", self._per_address, "this address")
        if refusals:
            raise max(refusals, key=lambda refusal: refusal.retry_after_s)

    async def _count(self, key: str, limit: int, source: str) -> list[RateLimitedError]:
        # Retried like every call to the store (a stale pooled connection after a Redis restart
        # must not fail the submission); a retry after a lost reply counts the attempt twice,
        # which limits this generous can afford.
        count, window_left_s = await self._guard.call(lambda: self._kv.incr(key, self._window_s))
        if count <= limit:
            return []
        return [RateLimitedError(
            f"More than {limit} drawings from {source} in {self._window_s} s; retry after the Retry-After seconds.",
            retry_after_s=window_left_s,
        )]
