"""Consent in the game, in a browser: the terms on a first visit, "I agree", and a drawing
the server refused for want of consent, sent again once the terms are agreed to."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.consent import agree_to_terms, terms_panel
from tests.e2e.pen import draw_with_mouse, outline_for
from tests.e2e.stack import Server

pytestmark = pytest.mark.e2e

SESSION_KEY = "crowdsketch.sessionId"  # web/src/game/session.ts
TERMS_KEY = "crowdsketch.termsVersion"


def _drawing_answers(page: Page) -> list[int]:
    """The statuses of the drawings the page posts from now on, in order."""
    statuses: list[int] = []

    def record(response: Response) -> None:
        if response.url.endswith("/api/drawings") and response.request.method == "POST":
            statuses.append(response.status)

    page.on("response", record)
    return statuses


def _saved_or_doubted(page: Page) -> None:
    """The model may doubt the drawing (Retry / Submit anyway); it is saved either way."""
    saved, doubt = page.get_by_role("status", name="Drawing saved"), page.get_by_role("status", name="Model doubt")
    expect(saved.or_(doubt)).to_be_visible()


def test_a_first_visit_shows_the_terms_once_and_i_agree_lets_the_drawing_through(page: Page, server: Server) -> None:
    with page.expect_response("**/api/shapes/next") as first:
        page.goto("/")
    shape = first.value.json()
    panel = terms_panel(page)
    expect(panel).to_contain_text("Before you draw")
    expect(panel.get_by_role("link", name="CC BY 4.0")).to_have_attribute("href", "https://creativecommons.org/licenses/by/4.0/")
    expect(panel).to_contain_text("My drawings")
    draw_with_mouse(page, outline_for(shape["id"]))
    expect(page.get_by_label("Drawing canvas")).to_have_attribute("data-strokes", "0")  # no drawing before the agreement

    agree_to_terms(page)
    session_id = page.evaluate("key => localStorage.getItem(key)", SESSION_KEY)
    version = httpx.get(f"{server.base_url}/api/terms", timeout=10).json()["version"]
    assert page.evaluate("key => localStorage.getItem(key)", TERMS_KEY) == version

    draw_with_mouse(page, outline_for(shape["id"]))
    with page.expect_response(lambda r: r.url.endswith("/api/drawings") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 201, answer.value.text()
    _saved_or_doubted(page)
    assert answer.value.request.headers["x-session-id"] == session_id

    with page.expect_response("**/api/terms") as terms:
        page.reload()
    assert terms.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draw")
    expect(page.get_by_role("button", name="Skip")).to_be_enabled()
    expect(terms_panel(page)).to_have_count(0)


def test_a_drawing_refused_for_want_of_consent_is_sent_again_once_the_terms_are_agreed_to(page: Page, server: Server) -> None:
    # This browser remembers an agreement the server does not know of (its data were reset).
    version = httpx.get(f"{server.base_url}/api/terms", timeout=10).json()["version"]
    page.add_init_script(f"localStorage.setItem({TERMS_KEY!r}, {version!r})")
    with page.expect_response("**/api/shapes/next") as first:
        page.goto("/")
    shape = first.value.json()
    expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())
    expect(terms_panel(page)).to_have_count(0)
    statuses = _drawing_answers(page)

    draw_with_mouse(page, outline_for(shape["id"]))
    page.get_by_role("button", name="Submit").click()
    panel = terms_panel(page)
    expect(panel).to_contain_text("Your drawing is kept")
    assert statuses == [403]

    with page.expect_response(lambda r: r.url.endswith("/api/drawings") and r.request.method == "POST") as answer:
        agree_to_terms(page)
    assert answer.value.status == 201, answer.value.text()
    _saved_or_doubted(page)
    assert statuses == [403, 201]
    sent = answer.value.request.post_data_json
    assert len(sent["strokeData"]["strokes"]) == len(outline_for(shape["id"])), "the very drawing that was refused"
