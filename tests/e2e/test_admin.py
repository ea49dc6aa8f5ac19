"""The admin dashboard in a browser: log in, curate, train and activate a model."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.stack import Server
from tests.support.waiting import JOB_DEADLINE_S

pytestmark = pytest.mark.e2e

TRAINING_DEADLINE_MS = int(JOB_DEADLINE_S * 1000)


def test_an_admin_flags_a_drawing_trains_a_model_and_activates_it(page: Page, server: Server) -> None:
    log_in(page)

    sections(page).get_by_role("link", name="Drawings").click()
    expect(page.get_by_role("heading", name="Drawings")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^[\d,]+ drawings · page 1 of \d+"))).to_be_visible()
    shape_id, shape_name = _filter_by_a_shape(page)
    first = page.locator(".drawing-card").first
    first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Flag").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("Flagged 1 drawing.")
    expect(first).to_contain_text("Flagged")

    # Its page says what the model and the players made of it.
    first.get_by_role("link", name=re.compile(r"^Open ")).click()
    facts = page.locator(".admin-facts")
    expect(facts.locator("div").filter(has_text="Players' votes")).to_contain_text("No votes yet")
    expect(facts.locator("div").filter(has_text="Model agreement")).to_be_visible()
    # The browser's Back, and the page's own link, return to the list as it was filtered.
    page.go_back()
    _expect_filtered_by(page, shape_id, shape_name)
    first.get_by_role("link", name=re.compile(r"^Open ")).click()
    page.get_by_role("link", name="← All drawings").click()
    _expect_filtered_by(page, shape_id, shape_name)

    sections(page).get_by_role("link", name="Training").click()
    page.get_by_role("spinbutton", name="Epochs").fill("2")
    # Leave out what the model disagreed with (drawings it never scored stay in).
    page.get_by_role("textbox", name="Minimum agreement").fill("0.2")
    page.get_by_role("button", name="Start training").click()
    notice = page.get_by_role("status").filter(has_text="Training job")
    expect(notice).to_be_visible()
    job = page.locator(".job-card").filter(has_text="2 epochs")
    expect(job).to_have_count(1)
    expect(job).to_contain_text("agreement ≥ 0.2")
    expect(job).to_contain_text("completed", timeout=TRAINING_DEADLINE_MS)
    expect(job).to_contain_text("Epoch 2 of 2")
    expect(job.get_by_role("progressbar", name="Epochs done")).to_have_attribute("aria-valuenow", "2")
    expect(notice).to_have_count(0)  # "is queued" does not outlive the job

    # The job links to the model it trained (not yet active), not to the active one.
    job.get_by_role("link", name="Trained model").click()
    expect(page).to_have_url(re.compile(r"/admin/models\?model="))
    picked = page.locator("tr[aria-current=true]")
    expect(picked).to_have_count(1)
    version = picked.get_by_role("rowheader").inner_text()
    expect(page.get_by_role("article", name=f"Model version {version.removeprefix('v')}")).to_be_visible()
    inactive = page.get_by_role("row").filter(has=page.get_by_role("button", name="Activate"))
    expect(inactive).to_have_count(1)
    expect(inactive.get_by_role("rowheader")).to_have_text(version)
    inactive.get_by_role("button", name="Activate").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name=version, exact=True))
    expect(row).to_contain_text("Active")
    expect(row.get_by_role("button", name="Activate")).to_have_count(0)

    # The activated model is the one that answers classification requests now.
    deadline = time.monotonic() + 10
    while (serving := _serving_version(page)) != version:
        assert time.monotonic() < deadline, f"inference still serves {serving}, not the activated {version}"
        time.sleep(0.1)


def test_the_log_in_heading_fits_on_one_line(page: Page, touch_page: Page) -> None:
    for shown in (page, touch_page):
        shown.goto("/admin/login")
        heading = shown.get_by_role("heading", name="crowdsketch admin")
        expect(heading).to_be_visible()
        line = heading.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        box = heading.bounding_box()
        assert box is not None and box["height"] < 1.5 * line, f"the heading wraps: {box} for lines of {line}px"


def _filter_by_a_shape(page: Page) -> tuple[str, str]:
    """Picks the first shape in the Shape filter; returns its id and name."""
    option = page.get_by_label("Shape").locator("option").nth(1)
    expect(option).to_be_attached()
    shape_id, shape_name = option.get_attribute("value") or "", option.inner_text()
    page.get_by_label("Shape").select_option(shape_id)
    _expect_filtered_by(page, shape_id, shape_name)
    return shape_id, shape_name


def _expect_filtered_by(page: Page, shape_id: str, shape_name: str) -> None:
    expect(page).to_have_url(re.compile(rf"/admin/drawings\?shape={re.escape(shape_id)}$"))
    expect(page.get_by_label("Shape")).to_have_value(shape_id)
    cards = page.locator(".drawing-card")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_not=page.get_by_text(shape_name, exact=True))).to_have_count(0)


def _serving_version(page: Page) -> str:
    info = page.request.get("/api/inference/model/info")
    assert info.ok, info.text()
    return f"v{info.json()['version']}"
