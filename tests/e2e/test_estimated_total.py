"""The Drawings page's total when the server only estimates it: "about 240 drawings", with a
tooltip saying why, against a server that really answers `totalIsEstimate: true`.

This test's own server counts exactly only up to 50 matches (CROWDSKETCH_EXACT_COUNT_LIMIT)
and holds the 240 drawings stack.py seeds (20 of each shape). Filtered from a moment that is
not a UTC midnight, the list's total can only be estimated by the kept day counts (whole days
in proportion), and an estimate above the limit is answered as one. The package's shared
server keeps the default limit, as its other tests read exact totals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.conftest import page_in
from tests.conftest import require
from tests.e2e.stack import REPO_ROOT, SEEDED_PER_SHAPE, WEB_BUILD, Server, start_server, stop_server

pytestmark = pytest.mark.e2e

EXACT_COUNT_LIMIT = 50
# Not a UTC midnight: only an estimate answers a range with a part of a day in it.
NOT_MIDNIGHT = "2000-01-01T00:00:01Z"
ESTIMATE_TITLE = "An estimate: too many drawings match to count each one"


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own, which counts exactly only up to EXACT_COUNT_LIMIT matches."""
    require(WEB_BUILD.is_file(), f"the web app is not built ({WEB_BUILD.relative_to(REPO_ROOT)}; run `make setup`)")
    crowded = start_server(tmp_path_factory.mktemp("e2e-estimate"),
                           settings={"CROWDSKETCH_EXACT_COUNT_LIMIT": str(EXACT_COUNT_LIMIT)})
    try:
        yield crowded
    finally:
        stop_server(crowded)


@pytest.fixture
def crowded_page(browser: Browser, crowded_server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=crowded_server.base_url, viewport={"width": 1100, "height": 900})
    yield from page_in(context, crowded_server, request)


def _about(total: int) -> str:
    """What the page writes for an estimate under a million: two significant figures."""
    return f"about {round(total, 2 - len(str(total))):,}"


def test_an_estimated_total_is_said_to_be_one(crowded_page: Page, crowded_server: Server) -> None:
    page = crowded_page
    with crowded_server.admin_api() as api:
        everything = api.get("/api/admin/drawings", params={"limit": 1}).json()
        since = api.get("/api/admin/drawings", params={"limit": 1, "createdFrom": NOT_MIDNIGHT}).json()
    assert everything["totalIsEstimate"] is False, everything
    assert everything["total"] >= SEEDED_PER_SHAPE * 12 > EXACT_COUNT_LIMIT, everything
    assert since["totalIsEstimate"] is True, since
    assert since["total"] == everything["total"], (since, everything)  # every drawing is in the range

    log_in(page)
    sections(page).get_by_role("link", name="Drawings").click()
    expect(page.get_by_role("heading", name="Drawings")).to_be_visible()
    # Counted: the number in full, as before, and no tooltip.
    exact = f"{everything['total']:,} drawings"
    expect(page.get_by_text(re.compile(rf"^{exact} · page 1 of \d+$"))).to_be_visible()
    expect(page.get_by_title(ESTIMATE_TITLE)).to_have_count(0)

    page.goto(f"/admin/drawings?createdFrom={NOT_MIDNIGHT}")
    estimate = page.get_by_title(ESTIMATE_TITLE)
    expect(estimate).to_have_text(f"{_about(since['total'])} drawings")
    expect(page.get_by_text(re.compile(rf"^{_about(since['total'])} drawings · page 1 of about [\d,]+$"))).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{exact}"))).to_have_count(0)
