"""A contributor's own drawings from the game's "My drawings" menu: deleting them for good."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.consent import agree_to_terms, terms_panel
from tests.e2e.pen import draw_with_mouse, outline_for
from tests.e2e.stack import Server

pytestmark = pytest.mark.e2e

SESSION_KEY = "crowdsketch.sessionId"  # web/src/game/session.ts


def test_a_contributor_deletes_the_drawing_they_made_and_their_export_is_then_empty(page: Page, server: Server) -> None:
    with page.expect_response("**/api/shapes/next") as first:
        page.goto("/")
    shape = first.value.json()
    agree_to_terms(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())

    draw_with_mouse(page, outline_for(shape["id"]))
    with page.expect_response(lambda r: r.url.endswith("/api/drawings") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 201, answer.value.text()
    # The model may doubt the drawing (Retry / Submit anyway); it is saved either way.
    saved, doubt = page.get_by_role("status", name="Drawing saved"), page.get_by_role("status", name="Model doubt")
    expect(saved.or_(doubt)).to_be_visible()

    page.get_by_role("button", name="My drawings").click()
    page.get_by_role("menuitem", name="Delete my drawings").click()
    confirmation = page.get_by_role("alertdialog")
    expect(confirmation).to_contain_text("This cannot be undone.")
    with page.expect_response(lambda r: r.url.endswith("/api/contributors/me") and r.request.method == "DELETE") as deleted:
        confirmation.get_by_role("button", name="Delete them").click()
    assert deleted.value.status == 200, deleted.value.text()

    expect(page.get_by_role("status").filter(has_text="Deleted")).to_have_text("Deleted 1 drawing.")
    expect(saved).to_be_hidden()  # the totals shown with the score counted the deleted drawing
    expect(terms_panel(page)).to_be_visible()  # the consent went with the drawings: asked again before the next
    session_id = page.evaluate("key => localStorage.getItem(key)", SESSION_KEY)
    assert session_id
    export = httpx.get(f"{server.base_url}/api/contributors/me/export", headers={"X-Session-Id": session_id}, timeout=10)
    assert export.status_code == 200, export.text
    assert export.text == ""
