"""The implementor portal in a browser: draw, classify, and read the model's answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pen import draw_with_mouse, outline_for

pytestmark = pytest.mark.e2e


def test_an_implementor_draws_a_circle_and_sees_the_prediction_with_a_bar_per_shape(page: Page) -> None:
    with page.expect_response("**/api/inference/model/info") as model_info:
        page.goto("/implementor")
    classes = model_info.value.json()["classes"]
    expect(page.get_by_label("Active model")).to_contain_text(f"{len(classes)} shapes")

    draw_with_mouse(page, outline_for("circle"))
    with page.expect_response("**/api/inference/classify") as answer:
        page.get_by_role("button", name="Classify").click()
    assert answer.value.ok, answer.value.text()
    best = answer.value.json()["shape"]

    prediction = page.get_by_role("region", name="Prediction")
    expect(prediction).to_contain_text(best)
    expect(prediction.get_by_role("meter", name=f"Confidence in {best}")).to_be_visible()
    bars = prediction.get_by_role("list", name="All predictions").get_by_role("meter")
    expect(bars).to_have_count(len(classes))
    for shape in classes:
        expect(prediction.get_by_role("meter", name=shape, exact=True)).to_have_attribute("aria-valuemax", "100")
