"""Consent before the first drawing, as a script meets it: the terms, 403 CONSENT_REQUIRED,
`POST /api/consent`, then 201; a new terms version asks again; the operator's switch."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from crowdsketch.db.models import ContributorSession, Drawing
from tests.support.drawings import circle_strokes, drawing_body, submission_headers
from tests.support.stacks import Stack


async def _submit(client: httpx.AsyncClient, session_id: str | None) -> httpx.Response:
    headers = submission_headers(session_id or "anonymous", "circle")
    if session_id is None:
        del headers["X-Session-Id"]
    return await client.post("/api/drawings", json=drawing_body("circle", circle_strokes()), headers=headers)


@pytest.mark.settings(consent_required=True)
async def test_a_drawing_needs_consent_to_the_current_terms(client: httpx.AsyncClient, stack: Stack) -> None:
    terms = (await client.get("/api/terms")).json()
    assert terms["version"] == "1" and terms["licence"] == "CC BY 4.0" and terms["required"] is True
    assert "CC BY 4.0" in terms["text"] and "My drawings" in terms["text"]
    me = uuid.uuid4().hex

    refused = await _submit(client, me)
    assert refused.status_code == 403
    assert refused.json()["error"] == "CONSENT_REQUIRED"
    assert refused.json()["details"] == [
        {"field": "termsVersion", "message": "no consent to the current terms", "termsVersion": "1"}]
    assert (await _submit(client, None)).status_code == 403  # no session, no consent

    stale = await client.post("/api/consent", json={"termsVersion": "0"}, headers={"X-Session-Id": me})
    assert stale.status_code == 400 and stale.json()["details"][0]["field"] == "termsVersion"
    missing = await client.post("/api/consent", json={"termsVersion": "1"})
    assert missing.status_code == 400 and missing.json()["details"][0]["field"] == "headers.X-Session-Id"

    agreed = await client.post("/api/consent", json={"termsVersion": "1"}, headers={"X-Session-Id": me})
    assert agreed.status_code == 200 and agreed.json()["termsVersion"] == "1"
    stored = await _submit(client, me)
    assert stored.status_code == 201, stored.text
    assert stored.json()["userStats"] == {"total": 1, "today": 1}

    async with stack.stores.db.sessions() as session:
        row = await session.get(ContributorSession, me)
        assert row is not None and row.consent_version == "1" and row.consented_at is not None
        licences = set((await session.execute(select(Drawing.licence))).scalars())
    assert licences == {"CC BY 4.0"}  # only the drawing with consent was stored


@pytest.mark.settings(consent_required=True)
async def test_new_terms_ask_again(client: httpx.AsyncClient, stack: Stack) -> None:
    me = uuid.uuid4().hex
    await client.post("/api/consent", json={"termsVersion": "1"}, headers={"X-Session-Id": me})
    assert (await _submit(client, me)).status_code == 201
    stack.settings.terms_version = "2"  # the operator published new terms
    refused = await _submit(client, me)
    assert refused.status_code == 403 and refused.json()["details"][0]["termsVersion"] == "2"
    assert (await client.post("/api/consent", json={"termsVersion": "2"}, headers={"X-Session-Id": me})).status_code == 200
    assert (await _submit(client, me)).status_code == 201


@pytest.mark.settings(consent_required=False, licence="internal use only")
async def test_an_operator_who_collects_otherwise_turns_the_check_off(client: httpx.AsyncClient) -> None:
    terms = (await client.get("/api/terms")).json()
    assert terms["required"] is False and terms["licence"] == "internal use only"
    assert (await _submit(client, uuid.uuid4().hex)).status_code == 201
