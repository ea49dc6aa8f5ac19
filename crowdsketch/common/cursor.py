"""Opaque cursors for keyset pagination: the sort value and the id of the last row seen."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

import orjson

from crowdsketch.errors import ValidationError


def encode_cursor(value: datetime | float | int | str, row_id: uuid.UUID) -> str:
    kind = "t" if isinstance(value, datetime) else "v"
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(orjson.dumps([kind, raw, str(row_id)])).decode().rstrip("=")


def decode_cursor(cursor: str, field: str) -> tuple[Any, uuid.UUID]:
    try:
        kind, raw, row_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(raw) if kind == "t" else raw
        return value, uuid.UUID(row_id)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise ValidationError.for_field(f"query.{field}", "not a cursor this API returned") from None
