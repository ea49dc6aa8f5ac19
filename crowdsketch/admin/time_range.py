"""`createdFrom` / `createdTo`: the one time filter of the admin lists (drawings, the audit
log), read and checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query

from crowdsketch.errors import ValidationError


@dataclass(frozen=True)
class CreatedRange:
    start: datetime | None  # inclusive
    end: datetime | None  # exclusive


def _utc(value: datetime | None) -> datetime | None:
    """A time given without a zone is taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def created_range(
    created_from: Annotated[
        datetime | None, Query(alias="createdFrom", description="Inclusive; ISO 8601, UTC when no zone is given")
    ] = None,
    created_to: Annotated[
        datetime | None, Query(alias="createdTo", description="Exclusive; ISO 8601, UTC when no zone is given")
    ] = None,
) -> CreatedRange:
    start, end = _utc(created_from), _utc(created_to)
    if start is not None and end is not None and start > end:
        raise ValidationError.for_field("query.createdFrom", "later than createdTo")
    return CreatedRange(start, end)


CreatedRangeDep = Annotated[CreatedRange, Depends(created_range)]
