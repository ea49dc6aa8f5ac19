"""axe-core on each page, with what it shows after a person used it: no serious or critical
violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.axe import assert_no_serious_violation
from tests.e2e.consent import agree_to_terms, terms_panel
from tests.e2e.pen import draw_with_mouse, outline_for

pytestmark = pytest.mark.e2e

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


@pytest.mark.parametrize("section", ["Overview", "Drawings", "Review", "Datasets", "Training", "Models", "Experiments", "Contributors"])
def test_an_admin_page_has_no_serious_accessibility_violation(page: Page, section: str) -> None:
    log_in(page)
    sections(page).get_by_role("link", name=section).click()
    expect(page.get_by_role("heading", name=section, level=1)).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)
    assert_no_serious_violation(page)
