"""End-to-end fixtures: one `crowdsketch serve` for the package's tests (see stack.py) and
Debian's Chromium driven by Playwright, a fresh browser context for each test.

Nothing is downloaded: Chromium is the system's (`apt-get install chromium`), found on the
PATH. Without it, or without the web build (`make setup`), these tests skip on a laptop and
fail in CI (CI=true). A failing test leaves a screenshot of its page and the server's log in
tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import require
from tests.e2e.stack import REPO_ROOT, WEB_BUILD, Server, start_server, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# How long a locator or an expect() waits for the page by default.
PAGE_DEADLINE_MS = 30_000  # a deadline for a bug, not a speed: the machine may be busy

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end to end in a real browser against `crowdsketch serve`")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require(WEB_BUILD.is_file(), f"the web app is not built ({WEB_BUILD.relative_to(REPO_ROOT)}; run `make setup`)")
    running = start_server(tmp_path_factory.mktemp("e2e"))
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    require(executable is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_DEADLINE_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context: no cookies, no storage, a mouse."""
    yield from page_in(browser.new_context(base_url=server.base_url, viewport={"width": 1100, "height": 900}), server, request)


@pytest.fixture
def touch_page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context with a touch screen, like a phone's."""
    context = browser.new_context(base_url=server.base_url, viewport={"width": 420, "height": 860}, has_touch=True)
    yield from page_in(context, server, request)


def page_in(context: BrowserContext, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page of `context`, closed with it; a failed test keeps its screenshot and the server's log."""
    context.set_default_timeout(PAGE_DEADLINE_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        if any(report.failed for report in request.node.stash.get(_reports, {}).values()):
            _keep_artifacts(request.node.name, page, server)
        context.close()


def _keep_artifacts(test_name: str, page: Page, server: Server) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    try:
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    except Exception as error:  # noqa: BLE001 - a page that cannot be shot must not hide the test's failure
        (ARTIFACTS / f"{name}.screenshot-error.txt").write_text(f"{error!r}\n")
    shutil.copyfile(server.log, ARTIFACTS / f"{name}.server.log")
