"""API keys for implementors: made and managed by admins, checked on every inference call.

`CROWDSKETCH_INFERENCE_AUTH`: `required` (a public deployment: no key, 401
`API_KEY_REQUIRED`), `optional` (`make run`'s default: a call without a key is served and
counted nowhere, a call with one is checked, limited and counted), or `off` (keys ignored).

A key's limits are counted in the key-value store, so every process shares them (Redis
distributed; the one process's memory embedded): requests in fixed one-minute windows that
start with the first request (`ratePerMinute`, 429 `RATE_LIMITED` with `Retry-After` and the
`RateLimit-*` headers), and requests in the calendar month, UTC (`monthlyQuota`, 429
`QUOTA_EXCEEDED` until the month turns).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.channels import API_KEYS_CHANNEL
from crowdsketch.common.identity import AdminSession
from crowdsketch.db.engine import Database
from crowdsketch.db.models import ApiKey, ApiKeyUsage
from crowdsketch.errors import AuthenticationError, NotFoundError, RateLimitedError
from crowdsketch.implementors.keys import KeyCache, KeyRecord, key_hash, looks_like_key, new_key, shown_prefix
from crowdsketch.implementors.schemas import (
    ApiKeyCreate, ApiKeyCreated, ApiKeyRead, ApiKeyUpdate, ApiKeyUsageRead, UsageDay, UsageTotals,
)
from crowdsketch.implementors.usage import UsageRecorder, median_ms
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard

logger = logging.getLogger(__name__)

RATE_WINDOW_S = 60.0
ORIGINS_CACHE_S = 30.0


class ApiKeyRequired(AuthenticationError):
    code = "API_KEY_REQUIRED"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="crowdsketch inference"'}


class ApiKeyInvalid(ApiKeyRequired):
    code = "API_KEY_INVALID"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="crowdsketch inference", error="invalid_token"'}


class KeyRateLimited(RateLimitedError):
    def __init__(self, message: str, *, retry_after_s: float, limit_headers: dict[str, str]) -> None:
        super().__init__(message, retry_after_s=retry_after_s)
        self.limit_headers = limit_headers

    def headers(self) -> dict[str, str]:
        return {**super().headers(), **self.limit_headers}


class QuotaExceeded(KeyRateLimited):
    code = "QUOTA_EXCEEDED"


@dataclass(frozen=True)
class KeyUse:
    """A call admitted with a key: who, and the `RateLimit-*` headers for its answer."""

    key: KeyRecord
    headers: dict[str, str]


def _month_end(now: datetime) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


def _record(row: ApiKey) -> KeyRecord:
    return KeyRecord(id=row.id, name=row.name, rate_per_minute=row.rate_per_minute, monthly_quota=row.monthly_quota,
                     allowed_origins=tuple(row.allowed_origins or ()), revoked_at=row.revoked_at)


class ApiKeyService:
    def __init__(self, db: Database, kv: KeyValueStore, kv_guard: DependencyGuard, *, secret: str, mode: str) -> None:
        self._db = db
        self._kv = kv
        self._kv_guard = kv_guard
        self._secret = secret
        self.mode = mode
        self.cache = KeyCache()
        self.usage = UsageRecorder(db)
        self._origins: tuple[float, frozenset[str]] | None = None
        self._month_name, self._month_ends = "", 0.0
        self._listener: asyncio.Task[None] | None = None

    # Admins.
    async def create(self, body: ApiKeyCreate, admin: AdminSession) -> ApiKeyCreated:
        key = new_key()
        row = ApiKey(name=body.name, prefix=shown_prefix(key), key_hash=key_hash(self._secret, key),
                     rate_per_minute=body.rate_per_minute, monthly_quota=body.monthly_quota,
                     allowed_origins=list(dict.fromkeys(body.allowed_origins)), created_by=admin.admin_id)

        async def write(session: AsyncSession) -> ApiKeyRead:
            session.add(row)
            await session.flush()
            await record(session, admin.admin_id, admin.email, "api_key.create", "api_key", str(row.id),
                         {"name": row.name, "prefix": row.prefix})
            return await self._read(session, row)

        created = await self._db.run(write)
        await self._changed(None)
        return ApiKeyCreated(**created.model_dump(), key=key)

    async def list(self) -> list[ApiKeyRead]:
        async def read(session: AsyncSession) -> list[ApiKeyRead]:
            rows = (await session.execute(select(ApiKey).order_by(ApiKey.created_at.desc()))).scalars().all()
            return [await self._read(session, row) for row in rows]

        return await self._db.run(read, write=False)

    async def update(self, key_id: uuid.UUID, changes: ApiKeyUpdate, admin: AdminSession) -> ApiKeyRead:
        values = changes.model_dump(exclude_unset=True)
        if values.get("name", "") is None:
            values.pop("name")  # a key always has a name
        if values.get("allowed_origins") is not None:
            values["allowed_origins"] = list(dict.fromkeys(values["allowed_origins"]))
        elif "allowed_origins" in values:
            values["allowed_origins"] = []

        async def write(session: AsyncSession) -> ApiKeyRead:
            row = await self._find(session, key_id)
            for name, value in values.items():
                setattr(row, name, value)
            await record(session, admin.admin_id, admin.email, "api_key.update", "api_key", str(row.id),
                         {name: value for name, value in values.items()})
            return await self._read(session, row)

        updated = await self._db.run(write)
        await self._changed(str(key_id))
        return updated

    async def revoke(self, key_id: uuid.UUID, admin: AdminSession) -> ApiKeyRead:
        async def write(session: AsyncSession) -> ApiKeyRead:
            row = await self._find(session, key_id)
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
                await record(session, admin.admin_id, admin.email, "api_key.revoke", "api_key", str(row.id),
                             {"name": row.name, "prefix": row.prefix})
            return await self._read(session, row)

        revoked = await self._db.run(write)
        await self._changed(str(key_id))
        return revoked

    async def usage_of(self, key_id: uuid.UUID, days: int) -> ApiKeyUsageRead:
        since = datetime.now(UTC).date() - timedelta(days=days - 1)

        async def read(session: AsyncSession) -> ApiKeyUsageRead:
            await self._find(session, key_id)
            rows = (await session.execute(
                select(ApiKeyUsage).where(ApiKeyUsage.key_id == key_id, ApiKeyUsage.day >= since)
            )).scalars().all()
            groups: dict[tuple[Any, int], list[ApiKeyUsage]] = {}
            for row in rows:
                groups.setdefault((row.day, row.model_version), []).append(row)
            days_read = [
                UsageDay(day=day, model_version=version or None, requests=sum(r.requests for r in group),
                         errors=sum(r.errors for r in group), p50_ms=median_ms((r.bucket, r.requests) for r in group))
                for (day, version), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)
            ]
            totals = UsageTotals(requests=sum(d.requests for d in days_read), errors=sum(d.errors for d in days_read))
            return ApiKeyUsageRead(key_id=key_id, days=days_read, totals=totals)

        return await self._db.run(read, write=False)

    @staticmethod
    async def _find(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
        row = await session.get(ApiKey, key_id)
        if row is None:
            raise NotFoundError(f"no API key {key_id}")
        return row

    @staticmethod
    async def _read(session: AsyncSession, row: ApiKey) -> ApiKeyRead:
        month = datetime.now(UTC).date().replace(day=1)
        requests, errors = (await session.execute(
            select(func.coalesce(func.sum(ApiKeyUsage.requests), 0), func.coalesce(func.sum(ApiKeyUsage.errors), 0))
            .where(ApiKeyUsage.key_id == row.id, ApiKeyUsage.day >= month)
        )).one()
        return ApiKeyRead(id=row.id, name=row.name, prefix=row.prefix, rate_per_minute=row.rate_per_minute,
                          monthly_quota=row.monthly_quota, allowed_origins=list(row.allowed_origins or []),
                          created_at=row.created_at, revoked_at=row.revoked_at, last_used_at=row.last_used_at,
                          usage_this_month=UsageTotals(requests=int(requests), errors=int(errors)))

    async def _changed(self, key_id: str | None) -> None:
        """Every process forgets the key (and the origins it allowed) now."""
        self.cache.forget(key_id)
        self._origins = None
        try:
            await self._kv_guard.call(lambda: self._kv.publish(API_KEYS_CHANNEL, (key_id or "*").encode()))
        except Exception:  # noqa: BLE001 - the caches' own expiry still catches up within a minute
            logger.warning("could not tell other processes of an API key change")

    # Inference calls.
    async def admit(self, authorization: str | None) -> KeyUse | None:
        """The key a call is made with, checked and counted; None for a call without one
        where keys are optional (or off)."""
        if self.mode == "off":
            return None
        if not authorization:
            if self.mode == "required":
                raise ApiKeyRequired("This API needs a key: send `Authorization: Bearer <key>` (ask an admin for one).")
            return None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not looks_like_key(token):
            raise ApiKeyInvalid("The Authorization header is not `Bearer <key>` with a crowdsketch key.")
        key = await self._lookup(key_hash(self._secret, token))
        if key is None:
            raise ApiKeyInvalid("No such API key.")
        if key.revoked:
            raise ApiKeyInvalid("This API key was revoked.")
        return KeyUse(key, await self._count(key))

    async def _lookup(self, digest: str) -> KeyRecord | None:
        known, found = self.cache.get(digest)
        if known:
            return found

        async def read(session: AsyncSession) -> ApiKey | None:
            return (await session.execute(select(ApiKey).where(ApiKey.key_hash == digest))).scalar_one_or_none()

        row = await self._db.run(read, write=False)
        found = _record(row) if row is not None else None
        self.cache.put(digest, found)
        return found

    def _month(self) -> tuple[str, float]:
        """This month's counter suffix and when the month ends (epoch s), worked out once a month."""
        now = time.time()
        if now >= self._month_ends:
            moment = datetime.fromtimestamp(now, UTC)
            self._month_name, self._month_ends = f"{moment:%Y-%m}", _month_end(moment).timestamp()
        return self._month_name, self._month_ends - now

    async def _count(self, key: KeyRecord) -> dict[str, str]:
        if key.rate_per_minute is None and key.monthly_quota is None:
            return {}
        month, month_left_s = self._month()
        counters = [(key.counter + "minute", RATE_WINDOW_S), (key.counter + month, month_left_s + 3600)]
        (minute, minute_ttl), (month_count, _) = await self._kv_guard.call(lambda: self._kv.incr_many(counters))
        headers: dict[str, str] = {}
        if key.rate_per_minute is not None:
            reset = max(1, int(round(minute_ttl)))
            headers = {"RateLimit-Limit": str(key.rate_per_minute),
                       "RateLimit-Remaining": str(max(0, key.rate_per_minute - minute)), "RateLimit-Reset": str(reset)}
            if minute > key.rate_per_minute:
                raise KeyRateLimited(f"This key may make {key.rate_per_minute} requests a minute.",
                                     retry_after_s=reset, limit_headers=headers)
        if key.monthly_quota is not None and month_count > key.monthly_quota:
            raise QuotaExceeded(f"This key's monthly quota of {key.monthly_quota} requests is used up.",
                                retry_after_s=month_left_s, limit_headers=headers)
        return headers

    async def origin_allowed(self, origin: str) -> bool:
        """Whether any live key names the origin: a preflight carries no key, so this is
        what it is answered by (the call itself is then checked against its own key)."""
        cached = self._origins
        if cached is None or time.monotonic() - cached[0] > ORIGINS_CACHE_S:
            async def read(session: AsyncSession) -> list[list[str]]:
                return list((await session.execute(select(ApiKey.allowed_origins).where(ApiKey.revoked_at.is_(None)))).scalars())

            origins = frozenset(o for row in await self._db.run(read, write=False) for o in (row or []))
            cached = self._origins = (time.monotonic(), origins)
        return origin in cached[1]

    # Every process follows changes.
    def start(self) -> None:
        self._listener = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        while True:
            try:
                async with self._kv.subscribe(API_KEYS_CHANNEL) as messages:
                    async for message in messages:
                        key_id = message.decode()
                        self.cache.forget(None if key_id == "*" else key_id)
                        self._origins = None
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - pub/sub lost: the cache's expiry bounds the delay meanwhile
                logger.warning("API key change notifications lost; retrying", exc_info=True)
                self.cache.forget(None)
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._listener, 2.0)
        await self.usage.close()
