"""Consent in the end-to-end tests: the test stack asks for it (the default settings), so a
game page agrees to the terms first, and a session that posts drawings itself through the API
agrees through the API."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Locator, Page, expect


def terms_panel(page: Page) -> Locator:
    """The game's terms, shown before the first drawing."""
    return page.get_by_role("region", name=re.compile("terms", re.IGNORECASE))


def agree_to_terms(page: Page) -> None:
    """Press "I agree" in the game's terms panel and wait until the server recorded it."""
    panel = terms_panel(page)
    with page.expect_response(lambda r: r.url.endswith("/api/consent") and r.request.method == "POST") as answer:
        panel.get_by_role("button", name="I agree").click()
    assert answer.value.status == 200, answer.value.text()
    expect(panel).to_be_hidden()


def agree_through_api(api: httpx.Client, session_id: str) -> None:
    """Record the session's consent to the current terms, as the game does for its player."""
    terms = api.get("/api/terms")
    assert terms.status_code == 200, terms.text
    agreed = api.post("/api/consent", json={"termsVersion": terms.json()["version"]}, headers={"X-Session-Id": session_id})
    assert agreed.status_code == 200, agreed.text
