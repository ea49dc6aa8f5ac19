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
    first = page.locator(".drawing-card").first
    first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Flag").click()
    expect(page.get_by_role("status")).to_have_text("Flagged 1 drawing.")
    expect(first).to_contain_text("Flagged")

    # Its page says what the model and the players made of it.
    first.get_by_role("link", name=re.compile(r"^Open ")).click()
    facts = page.locator(".admin-facts")
    expect(facts.locator("div").filter(has_text="Players' votes")).to_contain_text("No votes yet")
    expect(facts.locator("div").filter(has_text="Model agreement")).to_be_visible()
    page.get_by_role("link", name="← All drawings").click()

    sections(page).get_by_role("link", name="Training").click()
    page.get_by_role("spinbutton", name="Epochs").fill("2")
    # Leave out what the model disagreed with (drawings it never scored stay in).
    page.get_by_role("textbox", name="Minimum agreement").fill("0.2")
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_role("status").filter(has_text="Training job")).to_be_visible()
    job = page.locator(".job-card").filter(has_text="2 epochs")
    expect(job).to_have_count(1)
    expect(job).to_contain_text("agreement ≥ 0.2")
    expect(job).to_contain_text("completed", timeout=TRAINING_DEADLINE_MS)
    expect(job).to_contain_text("Epoch 2 of 2")
    expect(job.get_by_role("progressbar", name="Epochs done")).to_have_attribute("aria-valuenow", "2")

    sections(page).get_by_role("link", name="Models").click()
    inactive = page.get_by_role("row").filter(has=page.get_by_role("button", name="Activate"))
    expect(inactive).to_have_count(1)
    version = inactive.get_by_role("rowheader").inner_text()
    inactive.get_by_role("button", name="Activate").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name=version, exact=True))
    expect(row).to_contain_text("Active")
    expect(row.get_by_role("button", name="Activate")).to_have_count(0)

    # The activated model is the one that answers classification requests now.
    deadline = time.monotonic() + 10
    while (serving := _serving_version(page)) != version:
        assert time.monotonic() < deadline, f"inference still serves {serving}, not the activated {version}"
        time.sleep(0.1)


def _serving_version(page: Page) -> str:
    info = page.request.get("/api/inference/model/info")
    assert info.ok, info.text()
    return f"v{info.json()['version']}"
