"""What admin routes ask for: the signed-in admin (`CurrentAdmin`), and a database session
whose transaction the request owns (`SessionDep`): committed when the route returns,
rolled back if it raises, before the response is sent."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.identity import AdminSession
from crowdsketch.admin.auth import AuthService
from crowdsketch.common.identity import SESSION_COOKIE
from crowdsketch.deps import ResourcesDep
from crowdsketch.errors import ForbiddenError
from crowdsketch.settings import Settings

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def get_auth_service(resources: ResourcesDep) -> AuthService:
    return resources.auth


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


def set_session_cookie(response: Response, session_id: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.session_ttl_s,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )


async def require_admin(request: Request, response: Response, auth: AuthServiceDep, resources: ResourcesDep) -> AdminSession:
    """Applied once, where the admin routers are mounted: every admin route but log-in.
    The session (and the cookie's life with it) is extended by each request."""
    admin_session = await auth.authenticate(request.cookies.get(SESSION_COOKIE))
    set_session_cookie(response, admin_session.id, resources.settings)
    if request.method in MUTATING_METHODS:
        sent = request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(sent.encode(), admin_session.csrf_token.encode()):
            raise ForbiddenError(
                "A valid X-CSRF-Token header is required.",
                details=[{"field": "headers.X-CSRF-Token", "message": "missing or does not match the session"}],
            )
    request.state.admin_session = admin_session
    return admin_session


CurrentAdmin = Annotated[AdminSession, Depends(require_admin)]


async def get_db_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.db.request_session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
