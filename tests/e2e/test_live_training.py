"""The Training page live: a job's epochs arrive over the admin event socket, one after
another, with no reload and no polling of the jobs list while the socket is up."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.axe import assert_no_serious_violation
from tests.e2e.stack import Server
from tests.support.waiting import JOB_DEADLINE_S

pytestmark = pytest.mark.e2e

EPOCHS = 5
SEED = "4215"  # names this test's job among the others on the shared stack
JOBS_LIST = "/api/admin/training/jobs"

# Tells Python what this test's job card shows each time it changes: epochs done, status, and
# when (ms on the page's clock, for a failure's message).
WATCH_CARD = """
([seed]) => {
  let last = "";
  const report = () => {
    const card = [...document.querySelectorAll(".job-card")].find((c) => c.textContent.includes(`seed ${seed}`));
    if (!card) return;
    const done = card.querySelector('[role="progressbar"]').getAttribute("aria-valuenow");
    const status = card.querySelector(".admin-badge").textContent;
    if (`${done} ${status}` === last) return;
    last = `${done} ${status}`;
    window.cardChanged(Number(done), status, Math.round(performance.now()));
  };
  new MutationObserver(report).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  window.pageWithoutReload = true;
}
"""


def test_a_jobs_epochs_arrive_live_without_polling_the_list(page: Page, server: Server) -> None:
    # One timeline, in the order Playwright hears of things: the card's changes and the requests.
    timeline: list[tuple[str, Any]] = []
    page.expose_function("cardChanged", lambda done, status, ms: timeline.append(("card", (done, status, ms))))

    def on_request(request: Request) -> None:
        if request.method == "GET" and urlsplit(request.url).path == JOBS_LIST:
            timeline.append(("list", request.url))

    page.on("request", on_request)
    log_in(page)
    live = page.get_by_role("status", name="Live updates")
    expect(live).to_have_text("Live")

    sections(page).get_by_role("link", name="Training").click()
    expect(page.get_by_role("heading", name="Training")).to_be_visible()
    page.evaluate(WATCH_CARD, [SEED])
    page.get_by_role("spinbutton", name="Epochs").fill(str(EPOCHS))
    page.get_by_role("textbox", name="Seed").fill(SEED)
    page.get_by_role("button", name="Start training").click()

    job = page.locator(".job-card").filter(has_text=f"seed {SEED}")
    expect(job).to_contain_text("completed", timeout=int(JOB_DEADLINE_S * 1000))
    expect(job).to_contain_text(f"Epoch {EPOCHS} of {EPOCHS}")
    expect(job.get_by_role("progressbar", name="Epochs done")).to_have_attribute("aria-valuenow", str(EPOCHS))
    assert page.evaluate("() => window.pageWithoutReload === true"), "the page was reloaded"

    cards = [value for kind, value in timeline if kind == "card"]
    epochs_shown = [done for done, _ in groupby(done for done, _, _ in cards) if done > 0]
    assert epochs_shown == list(range(1, EPOCHS + 1)), f"what the card showed, change by change: {cards}"
    first_epoch = next(i for i, (kind, value) in enumerate(timeline) if kind == "card" and value[0] == 1)
    finished = next(i for i, (kind, value) in enumerate(timeline) if kind == "card" and value[1] == "completed")
    assert first_epoch < finished
    polled = [value for kind, value in timeline[first_epoch:finished] if kind == "list"]
    assert not polled, f"the jobs list was asked for while the job ran live: {polled}"

    # The indicator, and the curves the epochs drew, pass axe.
    expect(live).to_have_text("Live")
    expect(job.get_by_role("img", name="Loss per epoch")).to_be_visible()
    assert_no_serious_violation(page)
