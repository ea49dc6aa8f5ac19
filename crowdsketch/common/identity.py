"""Who an admin request acts as: the logged-in admin's session, as the admin domain hands
it to the services that audit what an admin did (training, the model registry, curation),
and to the routes other domains mount in the admin area (`CurrentAdmin`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import Depends, Request

from crowdsketch.errors import AuthenticationError

# The cookie that carries an admin's session id.
SESSION_COOKIE = "sid"


@dataclass(frozen=True)
class AdminSession:
    id: str
    admin_id: uuid.UUID
    email: str
    name: str
    csrf_token: str
    created_at: str

    def to_json(self) -> bytes:
        return orjson.dumps({
            "adminId": str(self.admin_id), "email": self.email, "name": self.name,
            "csrfToken": self.csrf_token, "createdAt": self.created_at,
        })

    @classmethod
    def from_json(cls, session_id: str, raw: bytes) -> AdminSession:
        data = orjson.loads(raw)
        return cls(session_id, uuid.UUID(data["adminId"]), data["email"], data["name"], data["csrfToken"], data["createdAt"])


def signed_in_admin(request: Request) -> AdminSession:
    """The admin a request acts as, for a route of any domain mounted in the admin area
    (`admin/router.py`), whose guard signs the admin in (and checks CSRF) before any route
    runs. A route mounted outside that area has no admin: 401."""
    admin_session = getattr(request.state, "admin_session", None)
    if not isinstance(admin_session, AdminSession):
        raise AuthenticationError("Sign in as an admin first.")
    return admin_session


CurrentAdmin = Annotated[AdminSession, Depends(signed_in_admin)]
