"""Implementors' API keys on both stacks: made by an admin and shown once, required (or not)
by inference, limited per minute and per month, revoked everywhere at once, answered for
the web origins they allow, and counted in their usage."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crowdsketch.app import create_app
from tests.support.drawings import stroke_data
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack
from tests.support.waiting import eventually

APP_ORIGIN = "https://app.example.org"
CLASSIFY = "/api/inference/classify"


def _drawing() -> dict[str, Any]:
    return {"strokeData": stroke_data([[[10, 50, 0], [90, 50, 100]]])}


async def _model(client: httpx.AsyncClient, stack: Stack, onnx: bytes) -> None:
    await add_model(stack, onnx, 1, active=True)

    async def loaded() -> bool:
        return (await client.get("/api/inference/model/info")).status_code == 200

    await eventually(loaded, "the model is loaded")


async def _key(admin_client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    created = await admin_client.post("/api/admin/api-keys", json={"name": "Acme app", **fields})
    assert created.status_code == 201, created.text
    return created.json()


def _bearer(key: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {key['key']}"}


@pytest.mark.settings(inference_auth="required")
async def test_a_required_key_is_checked_limited_and_counted(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await _model(admin_client, stack, orientation_model)
    key = await _key(admin_client, ratePerMinute=3, allowedOrigins=[APP_ORIGIN])
    assert key["key"].startswith("csk_") and key["prefix"] == key["key"][:12]
    listed = (await admin_client.get("/api/admin/api-keys")).json()
    assert [k["prefix"] for k in listed] == [key["prefix"]] and "key" not in listed[0]

    missing = await admin_client.post(CLASSIFY, json=_drawing())
    assert missing.status_code == 401 and missing.json()["error"] == "API_KEY_REQUIRED"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    for wrong in ("Bearer csk_" + "x" * 43, "Basic dXNlcjpwYXNz", f"Bearer {key['key']}x"):
        refused = await admin_client.post(CLASSIFY, json=_drawing(), headers={"Authorization": wrong})
        assert refused.status_code == 401 and refused.json()["error"] == "API_KEY_INVALID", wrong

    # Three a minute: the answers count down, the fourth is refused until the window ends.
    remaining = []
    for _ in range(2):
        ok = await admin_client.post(CLASSIFY, json=_drawing(), headers=_bearer(key))
        assert ok.status_code == 200, ok.text
        assert ok.headers["RateLimit-Limit"] == "3"
        remaining.append(ok.headers["RateLimit-Remaining"])
    bad = await admin_client.post(CLASSIFY, json={"strokeData": {"strokes": []}}, headers=_bearer(key))
    assert bad.status_code == 400
    assert remaining == ["2", "1"] and bad.headers.get("RateLimit-Remaining") in (None, "0")
    over = await admin_client.post(CLASSIFY, json=_drawing(), headers=_bearer(key))
    assert over.status_code == 429 and over.json()["error"] == "RATE_LIMITED"
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert over.headers["RateLimit-Remaining"] == "0" and int(over.headers["RateLimit-Reset"]) <= 60

    # Usage: what was admitted, by day and model version, errors apart.
    async def counted() -> dict[str, Any] | None:
        usage = (await admin_client.get(f"/api/admin/api-keys/{key['id']}/usage")).json()
        return usage if usage["totals"]["requests"] == 3 else None

    usage = await eventually(counted, "the usage is written")
    assert usage["totals"] == {"requests": 3, "errors": 1}
    assert {(d["modelVersion"], d["requests"], d["errors"]) for d in usage["days"]} == {(1, 2, 0), (None, 1, 1)}
    assert all(d["p50Ms"] is not None and d["p50Ms"] > 0 for d in usage["days"])
    again = (await admin_client.get("/api/admin/api-keys")).json()[0]
    assert again["usageThisMonth"] == {"requests": 3, "errors": 1} and again["lastUsedAt"] is not None


@pytest.mark.settings(inference_auth="required")
async def test_a_monthly_quota_ends_in_quota_exceeded(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await _model(admin_client, stack, orientation_model)
    key = await _key(admin_client, monthlyQuota=2)
    for _ in range(2):
        assert (await admin_client.post(CLASSIFY, json=_drawing(), headers=_bearer(key))).status_code == 200
    over = await admin_client.post(CLASSIFY, json=_drawing(), headers=_bearer(key))
    assert over.status_code == 429 and over.json()["error"] == "QUOTA_EXCEEDED"
    assert int(over.headers["Retry-After"]) > 0


async def test_where_keys_are_optional_a_call_without_one_is_served_and_a_bad_one_is_not(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await _model(admin_client, stack, orientation_model)
    assert (await admin_client.post(CLASSIFY, json=_drawing())).status_code == 200
    refused = await admin_client.post(CLASSIFY, json=_drawing(), headers={"Authorization": "Bearer nonsense"})
    assert refused.status_code == 401 and refused.json()["error"] == "API_KEY_INVALID"


@pytest.mark.settings(inference_auth="required")
async def test_cors_answers_the_origins_a_key_allows_and_no_other(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await _model(admin_client, stack, orientation_model)
    key = await _key(admin_client, allowedOrigins=[APP_ORIGIN + "/"])
    assert key["allowedOrigins"] == [APP_ORIGIN]
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}

    allowed = await admin_client.options(CLASSIFY, headers={"Origin": APP_ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    foreign = await admin_client.options(CLASSIFY, headers={"Origin": "https://evil.example", **preflight})
    assert "Access-Control-Allow-Origin" not in foreign.headers

    call = await admin_client.post(CLASSIFY, json=_drawing(), headers={"Origin": APP_ORIGIN, **_bearer(key)})
    assert call.status_code == 200 and call.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "RateLimit-Remaining" in call.headers["Access-Control-Expose-Headers"]
    elsewhere = await admin_client.post(CLASSIFY, json=_drawing(),
                                        headers={"Origin": "https://evil.example", **_bearer(key)})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers


async def test_bad_fields_are_400_naming_them(admin_client: httpx.AsyncClient) -> None:
    for body, field in (({"name": ""}, "name"), ({"name": "x", "ratePerMinute": 0}, "ratePerMinute"),
                        ({"name": "x", "allowedOrigins": ["https://a.example/path"]}, "allowedOrigins[0]"),
                        ({"name": "x", "colour": "red"}, "colour")):
        answer = await admin_client.post("/api/admin/api-keys", json=body)
        assert answer.status_code == 400, answer.text
        assert answer.json()["details"][0]["field"] == field, answer.text
    assert (await admin_client.get("/api/admin/api-keys")).json() == []
    missing = await admin_client.post(f"/api/admin/api-keys/{uuid.uuid4()}/revoke")
    assert missing.status_code == 404


@pytest.fixture
async def second_process(stack: Stack, admin_client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Another inference process of the same deployment (its own memory, the same stores);
    the embedded stack is one process, so there it is the same one."""
    if stack.mode == "embedded":
        yield admin_client
        return
    app = create_app(stack.settings, role="inference")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://second") as http:
            yield http


@pytest.mark.settings(inference_auth="required", model_poll_interval_s=1)
async def test_a_revoked_key_is_refused_by_every_process(
    admin_client: httpx.AsyncClient, stack: Stack, orientation_model: bytes, second_process: httpx.AsyncClient
) -> None:
    await _model(admin_client, stack, orientation_model)

    async def loaded() -> bool:
        return (await second_process.get("/api/inference/model/info")).status_code == 200

    await eventually(loaded, "the second process loads the model")
    key = await _key(admin_client)
    assert (await second_process.post(CLASSIFY, json=_drawing(), headers=_bearer(key))).status_code == 200
    # The second process now remembers the key for a minute; only the notification can
    # make it forget sooner.
    revoked = await admin_client.post(f"/api/admin/api-keys/{key['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revokedAt"]

    async def refused() -> bool:
        answer = await second_process.post(CLASSIFY, json=_drawing(), headers=_bearer(key))
        return answer.status_code == 401 and answer.json()["error"] == "API_KEY_INVALID"

    await eventually(refused, "the second process refuses the revoked key")
