"""API keys: how one is made, how it is recognised, and each process's memory of them.

A key is `csk_` and 43 characters of `secrets.token_urlsafe(32)`: 256 random bits. It is
shown once; the database keeps its HMAC-SHA256 under the server's secret key. A slow
password hash (bcrypt) protects low-entropy secrets from guessing; a key of 256 random bits
cannot be guessed, so a fast keyed hash is right, and it costs microseconds on every
classify. The HMAC rather than a bare SHA-256: a stolen table is no use without the secret.
(Changing `CROWDSKETCH_SECRET_KEY` therefore invalidates every key.)

Each process remembers the keys it has seen (`KeyCache`) for `CACHE_S`, and forgets one at
once when an admin changes or revokes it: the change is published on `API_KEYS_CHANNEL`
and every process listening drops its copy, so a revoked key is refused everywhere within
the pub/sub's delay (milliseconds), not the cache's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime

KEY_PREFIX = "csk_"
_KEY = re.compile(r"^csk_[A-Za-z0-9_-]{43}$")
_PURPOSE = b"crowdsketch api key v1\x00"
CACHE_S = 60.0


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def looks_like_key(value: str) -> bool:
    return _KEY.match(value) is not None


def key_hash(secret: str, key: str) -> str:
    return hmac.new(secret.encode(), _PURPOSE + key.encode(), hashlib.sha256).hexdigest()


def shown_prefix(key: str) -> str:
    """What lists show of a key: enough to tell keys apart, far too little to use."""
    return key[:12]


@dataclass(frozen=True)
class KeyRecord:
    id: uuid.UUID
    name: str
    rate_per_minute: int | None
    monthly_quota: int | None
    allowed_origins: tuple[str, ...]
    revoked_at: datetime | None

    @cached_property
    def counter(self) -> str:
        """The prefix of its counters in the key-value store (`minute`, `2026-12`)."""
        return f"apikey:{self.id}:"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class KeyCache:
    """Key hash → its record (or None: no such key), for `CACHE_S` at most."""

    def __init__(self, ttl_s: float = CACHE_S) -> None:
        self._ttl_s = ttl_s
        self._entries: dict[str, tuple[float, KeyRecord | None]] = {}

    def get(self, digest: str) -> tuple[bool, KeyRecord | None]:
        entry = self._entries.get(digest)
        if entry is None or time.monotonic() - entry[0] > self._ttl_s:
            return False, None
        return True, entry[1]

    def put(self, digest: str, record: KeyRecord | None) -> None:
        if len(self._entries) > 10_000:  # guessing keys must not grow memory without bound
            self._entries.clear()
        self._entries[digest] = (time.monotonic(), record)

    def forget(self, key_id: str | None = None) -> None:
        """Drop one key (by id) or, with None, everything."""
        if key_id is None:
            self._entries.clear()
            return
        for digest, (_, record) in list(self._entries.items()):
            if record is None or str(record.id) == key_id:
                del self._entries[digest]
