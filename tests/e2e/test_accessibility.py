"""axe-core on each page, with what it shows after a person used it: no serious or critical
violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.consent import agree_to_terms, terms_panel
from tests.e2e.pen import draw_with_mouse, outline_for
from tests.conftest import require
from tests.e2e.stack import AXE_SCRIPT

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def assert_no_serious_violation(page: Page) -> None:
    require(AXE_SCRIPT.is_file(), "axe-core is not installed in web/node_modules (cd web && npm ci)")
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(_describe(v) for v in blocking)


def _describe(violation: dict[str, Any]) -> str:
    nodes = "; ".join(
        f"{' '.join(node['target'])}: {' '.join(node['failureSummary'].split())}" for node in violation["nodes"][:5]
    )
    return f"{violation['impact']} {violation['id']} ({violation['help']}), {len(violation['nodes'])} nodes: {nodes}"


def test_the_game_page_and_its_saved_drawing_result_have_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draw")
    expect(terms_panel(page).get_by_role("button", name="I agree")).to_be_enabled()
    assert_no_serious_violation(page)  # with the terms shown, as on a first visit

    agree_to_terms(page)
    assert_no_serious_violation(page)

    draw_with_mouse(page, outline_for("circle"))
    page.get_by_role("button", name="Submit").click()
    # A circle drawn for another prompt gets the model's doubt (Retry / Submit anyway) instead.
    saved, doubt = page.get_by_role("status", name="Drawing saved"), page.get_by_role("status", name="Model doubt")
    expect(saved.or_(doubt)).to_be_visible()
    assert_no_serious_violation(page)


def test_the_implementor_page_and_its_prediction_have_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/implementor")
    expect(page.get_by_label("Active model")).to_be_visible()
    assert_no_serious_violation(page)

    draw_with_mouse(page, outline_for("circle"))
    page.get_by_role("button", name="Classify").click()
    expect(page.get_by_role("region", name="Prediction")).to_be_visible()
    page.get_by_text("Call it yourself").click()
    assert_no_serious_violation(page)


def test_the_admin_login_page_has_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/admin/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_no_serious_violation(page)


@pytest.mark.parametrize("section", ["Overview", "Drawings", "Review", "Training", "Models", "Contributors"])
def test_an_admin_page_has_no_serious_accessibility_violation(page: Page, section: str) -> None:
    log_in(page)
    sections(page).get_by_role("link", name=section).click()
    expect(page.get_by_role("heading", name=section, level=1)).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)
    assert_no_serious_violation(page)
