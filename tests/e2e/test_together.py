"""Drawing together in two browsers: one makes a room from the game, a friend opens its
link; each sees the other's ink while it is drawn, both draw at once, a reload keeps the
canvas, and Submit from both stores one drawing with both as contributors, which the admin's
drawing page shows."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.admin_ui import log_in
from tests.e2e.consent import agree_to_terms
from tests.e2e.conftest import page_in
from tests.e2e.pen import canvas
from tests.e2e.stack import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def friend(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A second person: a browser context of their own (their own session)."""
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1100, "height": 900})
    yield from page_in(context, server, request)


def _picture(page: Page) -> str:
    return canvas(page).evaluate("c => c.toDataURL()")


def _at(page: Page, x: float, y: float) -> tuple[float, float]:
    box = canvas(page).bounding_box()
    assert box is not None
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def _eventually(check, within_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)


def test_two_people_draw_one_drawing_together(page: Page, friend: Page, server: Server, browser: Browser) -> None:
    page.goto("/")
    agree_to_terms(page)
    page.get_by_role("button", name="Draw together").click()
    expect(page).to_have_url(re.compile(r"/together/[A-Za-z0-9_-]{22}$"))
    room_url = page.url
    status_a = page.get_by_role("status", name="Room status")
    expect(status_a).to_contain_text("1 person here")
    prompt = page.get_by_role("heading", level=1)
    expect(prompt).to_contain_text("Draw")

    friend.goto(room_url)
    agree_to_terms(friend)
    status_b = friend.get_by_role("status", name="Room status")
    expect(status_b).to_contain_text("2 people here")
    expect(status_a).to_contain_text("2 people here")
    expect(friend.get_by_role("heading", level=1)).to_have_text(prompt.inner_text())
    blank = _picture(friend)

    # A's stroke shows on B's canvas while A's pen is still down.
    page.mouse.move(*_at(page, 0.2, 0.2))
    page.mouse.down()
    page.mouse.move(*_at(page, 0.5, 0.25), steps=3)
    _eventually(lambda: _picture(friend) != blank)
    page.mouse.move(*_at(page, 0.8, 0.2), steps=3)
    page.mouse.up()

    # Both at once: the two pens are down together.
    page.mouse.move(*_at(page, 0.2, 0.5))
    page.mouse.down()
    friend.mouse.move(*_at(friend, 0.3, 0.8))
    friend.mouse.down()
    for step in range(1, 5):
        page.mouse.move(*_at(page, 0.2 + 0.15 * step, 0.5))
        friend.mouse.move(*_at(friend, 0.3 + 0.1 * step, 0.8 - 0.05 * step))
    page.mouse.up()
    friend.mouse.up()
    for person in (page, friend):
        expect(canvas(person)).to_have_attribute("data-strokes", "3")
    _eventually(lambda: _picture(page) == _picture(friend))

    # A reload keeps everything.
    friend.reload()
    expect(canvas(friend)).to_have_attribute("data-strokes", "3")
    expect(friend.get_by_role("status", name="Room status")).to_contain_text("2 people here")

    # Submit from both: one drawing.
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status", name="Submit status")).to_contain_text("Guest 2")
    with friend.expect_response(lambda r: r.url.endswith("/ready") and r.request.method == "POST") as answer:
        friend.get_by_role("button", name="Submit").click()
    assert answer.value.status == 200, answer.value.text()
    drawing = answer.value.json()["drawing"]
    assert drawing is not None and drawing["contributors"] == 2
    for person in (page, friend):
        expect(person.get_by_role("status", name="Drawing saved")).to_contain_text("Saved")
        expect(canvas(person)).to_have_attribute("data-strokes", "0")

    # The admin sees who drew it.
    admin = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    try:
        admin_page = admin.new_page()
        log_in(admin_page)
        admin_page.goto(f"/admin/drawings/{drawing['id']}")
        together = admin_page.get_by_role("region", name="Drawn together")
        expect(together).to_contain_text("Guest 1")
        expect(together).to_contain_text("Guest 2")
        expect(together.get_by_role("listitem")).to_have_count(2)
    finally:
        admin.close()
