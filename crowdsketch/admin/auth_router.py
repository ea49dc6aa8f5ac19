from __future__ import annotations

from fastapi import APIRouter, Request, Response

from crowdsketch.common.identity import SESSION_COOKIE
from crowdsketch.events.bus import session_tag
from crowdsketch.admin.deps import AuthServiceDep, CurrentAdmin, SessionDep, set_session_cookie
from crowdsketch.admin.schemas import AdminRead, LoginRequest, LoginResponse
from crowdsketch.deps import ResourcesDep

# Log-in is the one admin route outside the `require_admin` mount.
login_router = APIRouter(prefix="/api/admin", tags=["admin: session"])
session_router = APIRouter(tags=["admin: session"])


@login_router.post(
    "/login",
    response_model=LoginResponse,
    responses={401: {"description": "Invalid email or password"}, 429: {"description": "Locked out; see Retry-After"}},
)
async def login(
    body: LoginRequest, request: Request, response: Response, auth: AuthServiceDep, session: SessionDep,
    resources: ResourcesDep,
) -> LoginResponse:
    client = request.client.host if request.client else "unknown"
    admin_session = await auth.login(session, body.email, body.password, client)
    set_session_cookie(response, admin_session.id, resources.settings)
    return LoginResponse(
        admin=AdminRead(id=admin_session.admin_id, name=admin_session.name, email=admin_session.email),
        csrf_token=admin_session.csrf_token,
    )


@session_router.get("/me", response_model=LoginResponse)
async def me(admin: CurrentAdmin) -> LoginResponse:
    """The signed-in admin and the CSRF token for this session (the frontend's checkSession)."""
    return LoginResponse(admin=AdminRead(id=admin.admin_id, name=admin.name, email=admin.email), csrf_token=admin.csrf_token)


@session_router.post("/logout", status_code=204)
async def logout(admin: CurrentAdmin, auth: AuthServiceDep, response: Response, resources: ResourcesDep) -> Response:
    await auth.logout(admin)
    # The session's open event streams close too (4401), in every admin process.
    await resources.events.publish("admin.logout", {"session": session_tag(admin.id)})
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
