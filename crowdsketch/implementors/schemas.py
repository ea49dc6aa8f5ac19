from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field

from crowdsketch.common.schemas import CamelModel


def _origin(value: str) -> str:
    """A browser's Origin: scheme, host and port, nothing else (`https://app.example.org`)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{value!r} is not an origin: scheme://host[:port], with no path")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


Origin = Annotated[str, Field(min_length=8, max_length=200), AfterValidator(_origin)]
Name = Annotated[str, Field(min_length=1, max_length=80)]
PerMinute = Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
PerMonth = Annotated[int, Field(ge=1, le=10_000_000_000, strict=True)]


class ApiKeyCreate(CamelModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    rate_per_minute: PerMinute | None = Field(default=None, description="Requests a minute; null: no limit")
    monthly_quota: PerMonth | None = Field(default=None, description="Requests a calendar month (UTC); null: none")
    allowed_origins: list[Origin] = Field(default_factory=list, max_length=20,
                                          description="Web origins whose pages may call with this key (CORS)")


class ApiKeyUpdate(CamelModel):
    """Only the fields sent change; `null` removes a limit."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    rate_per_minute: PerMinute | None = None
    monthly_quota: PerMonth | None = None
    allowed_origins: list[Origin] | None = Field(default=None, max_length=20)


class UsageTotals(CamelModel):
    requests: int
    errors: int


class ApiKeyRead(CamelModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    rate_per_minute: int | None
    monthly_quota: int | None
    allowed_origins: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    usage_this_month: UsageTotals


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself: shown this once, never again")


class UsageDay(CamelModel):
    day: date
    model_version: int | None = Field(description="null: requests no model answered")
    requests: int
    errors: int
    p50_ms: float | None = Field(description="Median time in the app, from quarter-octave buckets")


class ApiKeyUsageRead(CamelModel):
    key_id: uuid.UUID
    days: list[UsageDay] = Field(description="Newest day first; within a day, newest model first")
    totals: UsageTotals
