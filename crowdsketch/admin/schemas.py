from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from crowdsketch.common.schemas import CamelModel


class LoginRequest(CamelModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class AdminRead(CamelModel):
    id: uuid.UUID
    name: str
    email: str


class LoginResponse(CamelModel):
    admin: AdminRead
    csrf_token: str


class AuditEntryRead(CamelModel):
    id: uuid.UUID
    admin_id: uuid.UUID | None
    admin_email: str
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    created_at: datetime


class AuditPage(CamelModel):
    items: list[AuditEntryRead]
    next_cursor: str | None
