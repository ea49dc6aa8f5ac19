"""The drawing game in a browser: prompts, drawing with mouse and finger, and a failed save."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.consent import agree_to_terms
from tests.e2e.pen import draw_with_finger, draw_with_mouse, outline_for
from tests.e2e.stack import Server

pytestmark = pytest.mark.e2e

RECOVERY_DEADLINE_S = 30.0


def _open_game(page: Page) -> dict[str, Any]:
    """The game page, once the terms are agreed to and it shows its first prompt; returns that shape."""
    with page.expect_response("**/api/shapes/next") as first:
        page.goto("/")
    shape = first.value.json()
    agree_to_terms(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())
    return shape


def _submit(page: Page) -> dict[str, Any]:
    with page.expect_response(lambda r: r.url.endswith("/api/drawings") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 201, answer.value.text()
    return answer.value.json()


def _past_the_models_doubt(page: Page) -> None:
    """The test stack's model is trained for a second and sometimes takes one shape for
    another; the game then asks first (tests/e2e/test_game_quality.py), and the player keeps
    the drawing."""
    saved, doubt = page.get_by_role("status", name="Drawing saved"), page.get_by_role("status", name="Model doubt")
    expect(saved.or_(doubt)).to_be_visible()
    if doubt.is_visible():
        page.get_by_role("button", name="Submit anyway").click()


def test_a_contributor_draws_three_prompted_shapes_and_gets_the_next_prompt_each_time(page: Page) -> None:
    shape = _open_game(page)
    for _ in range(3):
        draw_with_mouse(page, outline_for(shape["id"]))
        created = _submit(page)

        assert created["shape"]["id"] == shape["id"]
        _past_the_models_doubt(page)
        saved = page.get_by_role("status", name="Drawing saved")
        expect(saved).to_contain_text(f"Your {shape['name'].lower()} scored")
        shape = created["nextShape"]
        expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())
        expect(page.get_by_role("button", name="Submit")).to_be_disabled()  # a fresh note for the next shape
    expect(page.get_by_role("status", name="Drawing saved")).to_contain_text("3 today · 3 in all")


def test_a_drawing_made_with_a_finger_is_stored_as_a_touch_drawing(touch_page: Page, server: Server) -> None:
    shape = _open_game(touch_page)
    draw_with_finger(touch_page, outline_for(shape["id"]))
    created = _submit(touch_page)

    _past_the_models_doubt(touch_page)
    expect(touch_page.get_by_role("status", name="Drawing saved")).to_be_visible()
    with server.admin_api() as admin:
        stored = admin.get(f"/api/admin/drawings/{created['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["device"] == "touch"
    assert stored.json()["strokeData"]["device"] == "touch"


def test_enter_after_clicking_undo_submits_the_drawing_instead_of_undoing_again(page: Page, server: Server) -> None:
    shape = _open_game(page)
    outline = outline_for(shape["id"])
    draw_with_mouse(page, outline)
    draw_with_mouse(page, outline)
    canvas = page.get_by_label("Drawing canvas")
    expect(canvas).to_have_attribute("data-strokes", str(2 * len(outline)))
    undo = page.get_by_role("button", name="Undo")
    undo.click()
    expect(canvas).to_have_attribute("data-strokes", str(2 * len(outline) - 1))
    draw_with_mouse(page, outline)  # drawing does not take the focus from Undo
    kept = 3 * len(outline) - 1
    expect(canvas).to_have_attribute("data-strokes", str(kept))
    expect(undo).to_be_focused()

    with page.expect_response(lambda r: r.url.endswith("/api/drawings") and r.request.method == "POST") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 201, answer.value.text()
    _past_the_models_doubt(page)
    expect(page.get_by_role("status", name="Drawing saved")).to_be_visible()
    with server.admin_api() as admin:
        stored = admin.get(f"/api/admin/drawings/{answer.value.json()['id']}")
    assert stored.json()["strokeCount"] == kept


@contextmanager
def _blob_store_down(server: Server) -> Iterator[None]:
    """The embedded blob store's folder replaced by a file: every write fails, even as root."""
    folder = server.data_dir / "blobs"
    aside = folder.with_name("blobs.aside")
    folder.rename(aside)
    folder.write_text("not a folder")
    try:
        yield
    finally:
        folder.unlink()
        aside.rename(folder)


def test_a_drawing_not_saved_while_the_blob_store_is_down_is_saved_by_retry_once_it_is_back(page: Page, server: Server) -> None:
    shape = _open_game(page)
    draw_with_mouse(page, outline_for(shape["id"]))
    alert = page.get_by_role("alert")
    retry = alert.get_by_role("button", name="Retry")

    with _blob_store_down(server):
        with page.expect_response("**/api/drawings") as answer:
            page.get_by_role("button", name="Submit").click()
        assert answer.value.status == 503
        expect(alert).to_contain_text("Your drawing was not saved.")
        expect(retry).to_be_visible()

    # The service may still answer 503 for a moment (its breaker), and says so; a person
    # presses Retry again until the drawing is saved.
    deadline = time.monotonic() + RECOVERY_DEADLINE_S
    while True:
        with page.expect_response("**/api/drawings") as answer:
            retry.click()
        if answer.value.status == 201:
            break
        assert answer.value.status == 503, answer.value.text()
        assert time.monotonic() < deadline, "Retry did not save the drawing after the blob store came back"
        expect(retry).to_be_enabled()

    _past_the_models_doubt(page)
    expect(page.get_by_role("status", name="Drawing saved")).to_contain_text("1 today · 1 in all")
    expect(alert).to_have_count(0)
    with server.admin_api() as admin:
        stored = admin.get(f"/api/admin/drawings/{answer.value.json()['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["strokeData"] is not None, "the saved drawing's strokes are in the blob store"
