"""Admin log-in: bcrypt-hashed passwords, server-side sessions in the key-value store, and a
lock-out after repeated failures.

A session is `session:<uuid>` → `{adminId, email, name, csrfToken, createdAt}`, living
`session_ttl_s` and refreshed by every authenticated request. An unknown email and a wrong
password get the same answer after the same work (a dummy hash is verified), so the answer
does not tell which emails exist.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from datetime import UTC, datetime

import bcrypt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.db.models import AdminUser
from crowdsketch.common.identity import AdminSession
from crowdsketch.errors import AppError, AuthenticationError, NotFoundError, RateLimitedError
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard
from crowdsketch.settings import Settings



class LoginLockedError(RateLimitedError):
    code = "TOO_MANY_ATTEMPTS"


class SessionExpiredError(AuthenticationError):
    code = "SESSION_EXPIRED"


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def hash_password(password: str, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds)
    return (await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)).decode()


async def verify_password(password: str, hashed: str) -> bool:
    return await asyncio.to_thread(bcrypt.checkpw, password.encode(), hashed.encode())


def _sessions_after_key(admin_id: uuid.UUID) -> str:
    """When an admin's password last changed: sessions signed in before are refused (kept
    as long as a session lives)."""
    return f"admin-sessions-after:{admin_id}"


class AuthService:
    def __init__(self, settings: Settings, kv: KeyValueStore, kv_guard: DependencyGuard) -> None:
        self._settings = settings
        self._kv = kv
        self._guard = kv_guard
        # Verified when the email is unknown, so both failures cost one bcrypt check.
        self._dummy_hash = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(settings.bcrypt_rounds)).decode()

    async def create_admin(self, session: AsyncSession, email: str, name: str, password: str) -> AdminUser:
        admin = AdminUser(
            email=normalize_email(email),
            name=name,
            password_hash=await hash_password(password, self._settings.bcrypt_rounds),
        )
        session.add(admin)
        await session.flush()
        return admin

    async def set_password(self, session: AsyncSession, email: str, password: str, by: str) -> AdminUser:
        """A new password for an existing admin (404 if there is none); the sessions it
        signed in before end (they are refused from now on), and the change is audited."""
        admin = (await session.execute(
            select(AdminUser).where(AdminUser.email == normalize_email(email))
        )).scalar_one_or_none()
        if admin is None:
            raise NotFoundError(f"No admin with the email {normalize_email(email)}")
        admin.password_hash = await hash_password(password, self._settings.bcrypt_rounds)
        await session.flush()
        await record(session, None, by, "password.set", "admin", str(admin.id), {"email": admin.email})
        await self._guard.call(lambda: self._kv.set(
            _sessions_after_key(admin.id), str(time.time()).encode(), self._settings.session_ttl_s))
        return admin

    async def login(self, session: AsyncSession, email: str, password: str, client: str) -> AdminSession:
        email = normalize_email(email)
        throttle_keys = [f"login-failures:email:{email}", f"login-failures:client:{client}"]
        await self._refuse_if_locked(throttle_keys)
        admin = (await session.execute(select(AdminUser).where(AdminUser.email == email))).scalar_one_or_none()
        valid = await verify_password(password, admin.password_hash if admin else self._dummy_hash)
        if admin is None or not valid:
            await self._count_failure(throttle_keys)
            raise AuthenticationError("Invalid email or password.")
        now = datetime.now(UTC)
        await session.execute(update(AdminUser).where(AdminUser.id == admin.id).values(last_login_at=now))
        await record(session, admin.id, admin.email, "login")
        admin_session = AdminSession(
            id=str(uuid.uuid4()), admin_id=admin.id, email=admin.email, name=admin.name,
            csrf_token=secrets.token_urlsafe(32), created_at=now.isoformat(),
        )
        await self._store(admin_session)
        for key in throttle_keys[:1]:
            await self._guard.call(lambda key=key: self._kv.delete(key))
        return admin_session

    async def authenticate(self, session_id: str | None) -> AdminSession:
        """The session behind a cookie, refreshed for another `session_ttl_s`."""
        if not session_id:
            raise AuthenticationError("Authentication required")
        try:
            uuid.UUID(session_id)
        except ValueError:
            raise SessionExpiredError("Session expired") from None
        raw = await self._guard.call(lambda: self._kv.get(f"session:{session_id}"))
        if raw is None:
            raise SessionExpiredError("Session expired")
        admin_session = AdminSession.from_json(session_id, raw)
        reset = await self._guard.call(lambda: self._kv.get(_sessions_after_key(admin_session.admin_id)))
        if reset is not None and datetime.fromisoformat(admin_session.created_at).timestamp() < float(reset):
            # Signed in with a password that has since been changed.
            raise SessionExpiredError("Session expired")
        await self._store(admin_session)
        return admin_session

    async def logout(self, admin_session: AdminSession) -> None:
        await self._guard.call(lambda: self._kv.delete(f"session:{admin_session.id}"))

    async def _store(self, admin_session: AdminSession) -> None:
        await self._guard.call(
            lambda: self._kv.set(f"session:{admin_session.id}", admin_session.to_json(), self._settings.session_ttl_s)
        )

    async def _refuse_if_locked(self, keys: list[str]) -> None:
        for key in keys:
            raw = await self._guard.call(lambda key=key: self._kv.get(f"{key}:locked-until"))
            if raw is not None:
                remaining = float(raw) - time.time()
                if remaining > 0:
                    raise LoginLockedError(
                        "Too many failed log-ins; try again later.", retry_after_s=remaining
                    )

    async def _count_failure(self, keys: list[str]) -> None:
        window = self._settings.login_window_s
        for key in keys:
            try:
                count, remaining = await self._guard.call(lambda key=key: self._kv.incr(key, window))
            except AppError:
                continue
            if count >= self._settings.login_max_failures:
                until = str(time.time() + remaining).encode()
                await self._guard.call(lambda key=key, until=until: self._kv.set(f"{key}:locked-until", until, remaining))
