"""Idempotent submissions: the first answer to a key is kept for 24 h and replayed.

A key is claimed with set-if-absent, so that of two requests with one key (in one process
or in two) exactly one does the work; the other gets 409 while the work is in flight and
the stored answer once it has finished. A claim that is never completed (the process died)
lapses after `lock_ttl_s`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from crowdsketch.errors import AppError, ConflictError
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard

logger = logging.getLogger(__name__)


# (key, value, ttl_s) -> whether the key was set, as KeyValueStore.set_nx.
SetNx = Callable[[str, bytes, float], Awaitable[bool]]


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


class IdempotencyStore:
    def __init__(self, kv: KeyValueStore, guard: DependencyGuard, ttl_s: float, lock_ttl_s: float) -> None:
        self._kv = kv
        self._guard = guard
        self._ttl_s = ttl_s
        self._lock_ttl_s = lock_ttl_s

    @staticmethod
    def _key(key: str) -> str:
        return f"idempotency:{key}"

    async def claim(self, key: str, fingerprint: str, first_set_nx: SetNx | None = None) -> StoredResponse | None:
        """None: the caller now owns the key. Otherwise the stored answer to replay.
        `first_set_nx` makes the first try at the key instead of the store's own `set_nx`
        (a submission's rate-limit count takes it along, in the same round trip)."""
        pending = orjson.dumps({"state": "pending", "fingerprint": fingerprint})
        for round_ in range(2):  # a second round covers a record that lapsed between the two calls
            if first_set_nx is not None and round_ == 0:
                if await first_set_nx(self._key(key), pending, self._lock_ttl_s):
                    return None
            elif await self._guard.call(lambda: self._kv.set_nx(self._key(key), pending, self._lock_ttl_s)):
                return None
            raw = await self._guard.call(lambda: self._kv.get(self._key(key)))
            if raw is None:
                continue
            record = orjson.loads(raw)
            if record.get("fingerprint") != fingerprint:
                raise ConflictError(
                    "This X-Idempotency-Key was already used for a different drawing.",
                    details=[{"field": "headers.X-Idempotency-Key", "message": "reused with a different body"}],
                )
            if record["state"] == "pending":
                raise ConflictError(
                    "A request with this X-Idempotency-Key is in progress; retry shortly.",
                    details=[{"field": "headers.X-Idempotency-Key", "message": "in flight"}],
                )
            return StoredResponse(record["status"], record["body"])
        raise ConflictError("This X-Idempotency-Key is contended; retry shortly.")

    def completion(self, key: str, fingerprint: str, response: StoredResponse) -> tuple[str, bytes, float]:
        """The (key, value, ttl) that records `response` as the answer to `key`, for a caller
        that writes it along with others (`KeyValueStore.set_many`)."""
        record = orjson.dumps(
            {"state": "done", "fingerprint": fingerprint, "status": response.status, "body": response.body}
        )
        return self._key(key), record, self._ttl_s

    async def release(self, key: str) -> None:
        try:
            await self._guard.call(lambda: self._kv.delete(self._key(key)))
        except AppError:
            logger.warning("could not release an idempotency key; it lapses by itself", extra={"key": key})
