from __future__ import annotations

import asyncio
import re
import time
import uuid

import bcrypt
import httpx
import pytest
from sqlalchemy import select

from crowdsketch.db.models import AdminUser, AuditEntry
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, create_admin
from tests.support.stacks import Stack
from tests.support.waiting import DEADLINE_S

MUTATING = {"post", "put", "patch", "delete"}


def _admin_operations(schema: dict) -> list[tuple[str, str]]:
    """Every admin operation in the app's own OpenAPI document, path parameters filled."""
    operations = []
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/admin") or path == "/api/admin/login":
            continue
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        operations.extend((method, concrete) for method in methods if method in MUTATING | {"get"})
    return operations


def me_cookie_refreshed(response: httpx.Response) -> bool:
    """An authenticated answer extends the cookie's life along with the session's."""
    return "max-age=86400" in response.headers.get("set-cookie", "").lower()


async def _login(client: httpx.AsyncClient, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> httpx.Response:
    return await client.post("/api/admin/login", json={"email": email, "password": password})


async def test_every_admin_route_but_login_needs_a_session(client: httpx.AsyncClient) -> None:
    operations = _admin_operations((await client.get("/openapi.json")).json())
    assert len(operations) >= 3, operations
    for method, path in operations:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["message"] == "Authentication required"


async def test_every_admin_mutation_needs_the_csrf_token(admin_client: httpx.AsyncClient) -> None:
    token = admin_client.headers.pop("X-CSRF-Token")
    operations = _admin_operations((await admin_client.get("/openapi.json")).json())
    mutations = [(m, p) for m, p in operations if m in MUTATING]
    assert mutations
    for method, path in mutations:
        for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
            response = await admin_client.request(method, path, json={}, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["details"][0]["field"] == "headers.X-CSRF-Token"
    assert (await admin_client.get("/api/admin/me")).json()["csrfToken"] == token


async def test_login_sets_a_strict_http_only_session_cookie(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    response = await _login(client)

    assert response.status_code == 200
    body = response.json()
    assert body["admin"]["email"] == ADMIN_EMAIL
    assert len(body["csrfToken"]) >= 32
    cookie = response.headers["set-cookie"]
    assert me_cookie_refreshed(await client.get("/api/admin/me"))
    assert re.match(r"sid=[0-9a-f-]{36};", cookie)
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/", "max-age=86400"} <= flags
    assert "secure" not in flags
    me = await client.get("/api/admin/me")
    assert me.status_code == 200 and me.json()["admin"]["name"] == "Curator"


@pytest.mark.settings(cookie_secure=True)
async def test_the_cookie_is_secure_when_configured(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    response = await _login(client)
    assert "secure" in {part.strip().lower() for part in response.headers["set-cookie"].split(";")}


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_admin(stack)
    from crowdsketch.admin import auth

    checked: list[str] = []
    real_verify = auth.verify_password

    async def spy(password: str, hashed: str) -> bool:
        checked.append(hashed)
        return await real_verify(password, hashed)

    monkeypatch.setattr(auth, "verify_password", spy)
    unknown = await _login(client, "nobody@example.org", ADMIN_PASSWORD)
    wrong = await _login(client, ADMIN_EMAIL, "not the password")

    assert unknown.status_code == wrong.status_code == 401
    strip = lambda r: {k: v for k, v in r.json().items() if k != "requestId"}  # noqa: E731
    assert strip(unknown) == strip(wrong)
    assert "set-cookie" not in unknown.headers and "set-cookie" not in wrong.headers
    # The same work both ways: one bcrypt check against a hash of the same cost.
    assert len(checked) == 2
    assert checked[0][:7] == checked[1][:7] == "$2b$04$"


async def test_passwords_are_stored_as_bcrypt_hashes(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    async with stack.stores.db.request_session() as session:
        admin = (await session.execute(select(AdminUser))).scalar_one()
    assert admin.password_hash.startswith(f"$2b${stack.settings.bcrypt_rounds:02d}$")
    assert ADMIN_PASSWORD not in admin.password_hash
    assert bcrypt.checkpw(ADMIN_PASSWORD.encode(), admin.password_hash.encode())


async def test_emails_are_unique_whatever_their_case(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack, email="Curator@Example.org")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        await create_admin(stack, email="curator@EXAMPLE.org")
    assert (await _login(client, "CURATOR@example.ORG")).status_code == 200


async def test_logout_revokes_the_session_server_side(admin_client: httpx.AsyncClient) -> None:
    cookie = admin_client.cookies["sid"]
    assert (await admin_client.post("/api/admin/logout")).status_code == 204

    admin_client.cookies.set("sid", cookie)
    replayed = await admin_client.get("/api/admin/me")
    assert replayed.status_code == 401
    assert replayed.json()["message"] == "Session expired"


async def test_an_unknown_session_is_expired(client: httpx.AsyncClient) -> None:
    for value in (str(uuid.uuid4()), "not-a-uuid"):
        client.cookies.set("sid", value)
        response = await client.get("/api/admin/me")
        assert response.status_code == 401
        assert response.json()["message"] == "Session expired"


@pytest.mark.settings(session_ttl_s=2)
async def test_activity_keeps_a_session_alive_and_idleness_ends_it(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    await _login(client)
    ttl = stack.settings.session_ttl_s
    # Used every 0.3 s for three times its life, the session lives on. The server renews it
    # on each request, so an answer must be 200 whenever the request before it was sent less
    # than one life earlier; a machine that stalled for longer let it lapse with good reason,
    # and the test logs in again and starts over.
    started = kept_since = last_sent = time.monotonic()
    while time.monotonic() - kept_since < 3 * ttl:
        sent = time.monotonic()
        response = await client.get("/api/admin/me")
        if response.status_code != 200:
            assert time.monotonic() - last_sent >= ttl, "a session in use expired"
            assert time.monotonic() - started < DEADLINE_S, "the machine never kept up with the session"
            await _login(client)
            kept_since = sent = time.monotonic()
        last_sent = sent
        await asyncio.sleep(0.3)
    # ...and left alone, it expires on the server (the cookie is replayed as it was, since
    # the client drops a cookie past its Max-Age by itself).
    cookie = client.cookies["sid"]
    deadline = time.monotonic() + 10
    while True:
        await asyncio.sleep(2.5)
        client.cookies.set("sid", cookie)
        response = await client.get("/api/admin/me")
        if response.status_code != 200:
            break
        assert time.monotonic() < deadline, "the idle session never expired"
    assert response.status_code == 401
    assert response.json()["message"] == "Session expired"


@pytest.mark.settings(login_window_s=2)
async def test_five_failures_lock_an_email_out_until_the_window_ends(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    for _ in range(5):
        assert (await _login(client, ADMIN_EMAIL, "wrong")).status_code == 401
    locked = await _login(client)
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 2
    assert locked.json()["error"] == "TOO_MANY_ATTEMPTS"

    deadline = time.monotonic() + 10
    while (response := await _login(client)).status_code == 429:
        assert time.monotonic() < deadline, "the lock-out never expired"
        await asyncio.sleep(0.25)
    assert response.status_code == 200


@pytest.mark.settings(login_window_s=60)
async def test_failures_from_one_address_lock_it_out_across_emails(client: httpx.AsyncClient, stack: Stack) -> None:
    await create_admin(stack)
    for n in range(5):
        assert (await _login(client, f"guess{n}@example.org", "wrong")).status_code == 401
    assert (await _login(client)).status_code == 429


async def test_logins_are_in_the_audit_log(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    page = (await admin_client.get("/api/admin/audit")).json()
    assert [entry["action"] for entry in page["items"]] == ["login"]
    assert page["items"][0]["adminEmail"] == ADMIN_EMAIL
    async with stack.stores.db.request_session() as session:
        assert len((await session.execute(select(AuditEntry))).scalars().all()) == 1


async def test_the_audit_log_filters_by_actor_action_and_time(admin_client: httpx.AsyncClient) -> None:
    created = await admin_client.post("/api/admin/shapes", json={"id": "spiral", "name": "Spiral"})
    assert created.status_code == 201, created.text
    everything = (await admin_client.get("/api/admin/audit")).json()["items"]
    assert [e["action"] for e in everything] == ["shape.create", "login"]
    first_at = everything[-1]["createdAt"]

    by_actor = (await admin_client.get("/api/admin/audit", params={"actor": ADMIN_EMAIL.split("@")[0].upper()})).json()["items"]
    assert len(by_actor) == 2
    assert (await admin_client.get("/api/admin/audit", params={"actor": "someone@else.org"})).json()["items"] == []
    by_action = (await admin_client.get("/api/admin/audit", params={"action": "shape.create"})).json()["items"]
    assert [e["targetId"] for e in by_action] == ["spiral"]
    before = (await admin_client.get("/api/admin/audit", params={"createdTo": first_at})).json()["items"]
    assert before == []
    since = (await admin_client.get("/api/admin/audit", params={"createdFrom": first_at})).json()["items"]
    assert len(since) == 2
    bad = await admin_client.get("/api/admin/audit", params={"createdFrom": "yesterday"})
    assert bad.status_code == 400 and "createdFrom" in bad.text
    backwards = await admin_client.get("/api/admin/audit", params={"createdFrom": first_at, "createdTo": "2000-01-01"})
    assert backwards.status_code == 400 and backwards.json()["details"][0]["field"] == "query.createdFrom"
