"""bench/classify.py's keys: made over HTTP by the first admin, and their usage read back."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ADMIN_EMAIL = "admin@localhost"  # the first admin, as crowdsketch/admin/bootstrap.py names it
AUTHS = {"none": "no key", "key": "key", "limited": "key + limits"}
LIMITS = {"ratePerMinute": 1_000_000, "monthlyQuota": 10_000_000_000}  # the schema's largest: never reached here


@contextmanager
def admin_client(url: str, password: str) -> Iterator[httpx.Client]:
    """An httpx client logged in as the first admin (session cookie and CSRF token)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/api/admin/login", json={"email": ADMIN_EMAIL, "password": password})
        login.raise_for_status()
        client.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        yield client


def make_keys(url: str, password: str, auths: list[str], body: bytes) -> dict[str, str | None]:
    """Each mode's Authorization header (None: none), each key checked once: answered 200,
    with `RateLimit-*` exactly where the key has limits."""
    authorizations: dict[str, str | None] = {}
    with admin_client(url, password) as admin:
        for auth in auths:
            if auth != "none":
                created = admin.post("/api/admin/api-keys",
                                     json={"name": f"bench {auth}", **(LIMITS if auth == "limited" else {})})
                if created.status_code != 201:
                    raise RuntimeError(f"POST /api/admin/api-keys: {created.status_code} {created.text}")
                authorizations[auth] = f"Bearer {created.json()['key']}"
            else:
                authorizations[auth] = None
            headers = {"content-type": "application/json"}
            if authorizations[auth]:
                headers["authorization"] = authorizations[auth]  # type: ignore[assignment]
            answer = httpx.post(f"{url}/api/inference/classify", content=body, headers=headers, timeout=30)
            limit = answer.headers.get("RateLimit-Limit")
            if answer.status_code != 200 or (limit is not None) != (auth == "limited"):
                raise RuntimeError(f"classify with {AUTHS[auth]}: {answer.status_code}, RateLimit-Limit {limit}: "
                                   f"{answer.text[:300]}")
    return authorizations


def usage_counted(url: str, password: str, sent: dict[str, int], timeout_s: float = 5) -> dict[str, int]:
    """What each key's usage this month says, once it has caught up with `sent` (it is added
    to the database about once a second) or after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    with admin_client(url, password) as admin:
        while True:
            listed = admin.get("/api/admin/api-keys").raise_for_status().json()
            counted = {k["name"].removeprefix("bench "): k["usageThisMonth"]["requests"] for k in listed}
            if all(counted.get(auth) == n for auth, n in sent.items()) or time.monotonic() > deadline:
                return counted
            time.sleep(0.2)


def usage_in_database(data_dir: Path) -> dict[str, int]:
    """Each key's usage rows, summed, read from the stack's SQLite once the server has stopped
    (and written what it still held)."""
    with sqlite3.connect(data_dir / "crowdsketch.db") as connection:
        rows = connection.execute("SELECT k.name, SUM(u.requests) FROM api_key_usage u JOIN api_keys k "
                                  "ON k.id = u.key_id GROUP BY k.name").fetchall()
    return {name.removeprefix("bench "): int(total) for name, total in rows}


def redis_months(redis_url: str) -> list[int]:
    """The limited keys' monthly counters, as the server left them in Redis."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        return [int(client.get(k) or 0) for k in client.scan_iter("apikey:*:[0-9][0-9][0-9][0-9]-[0-9][0-9]")]
