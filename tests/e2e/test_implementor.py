"""The implementor portal in a browser: draw, classify, and read the model's answer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pen import draw_with_mouse, outline_for
from tests.e2e.stack import Server
from tests.support.eval_sets import eval_file
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def test_an_implementor_draws_a_circle_and_sees_the_prediction_with_a_bar_per_shape(page: Page) -> None:
    with page.expect_response("**/api/inference/model/info") as model_info:
        page.goto("/implementor")
    classes = model_info.value.json()["classes"]
    shapes = page.request.get("/api/shapes")
    assert shapes.ok, shapes.text()
    names = {shape["id"]: shape["name"] for shape in shapes.json()}  # shown in place of the ids
    expect(page.get_by_label("Active model")).to_contain_text(f"{len(classes)} shapes")

    draw_with_mouse(page, outline_for("circle"))
    with page.expect_response("**/api/inference/classify") as answer:
        page.get_by_role("button", name="Classify").click()
    assert answer.value.ok, answer.value.text()
    best = names.get(answer.value.json()["shape"], answer.value.json()["shape"])

    prediction = page.get_by_role("region", name="Prediction")
    expect(prediction).to_contain_text(best)
    expect(prediction.get_by_role("meter", name=f"Confidence in {best}", exact=True)).to_be_visible()
    bars = prediction.get_by_role("list", name="All predictions").get_by_role("meter")
    expect(bars).to_have_count(len(classes))
    for shape in classes:
        expect(prediction.get_by_role("meter", name=names.get(shape, shape), exact=True)).to_have_attribute("aria-valuemax", "100")


def test_the_badge_shows_accuracy_on_a_registered_evaluation_set_beside_validation_accuracy(
    page: Page, server: Server
) -> None:
    # A few dozen real drawings of the shared dollar1 set, registered, and the active model
    # re-scored on them (a job for the server's worker).
    lines = eval_file("dollar1.jsonl").read_bytes().splitlines()[::50]
    with server.admin_api() as admin:
        added = admin.post("/api/admin/eval-sets", params={"name": "e2e-real"}, content=b"\n".join(lines),
                           headers={"Content-Type": "application/x-ndjson"})
        assert added.status_code == 201, added.text
        try:
            [active] = [m for m in admin.get("/api/admin/models").json() if m["active"]]
            job = admin.post(f"/api/admin/models/{active['id']}/evaluate").json()
            finished = wait_until(
                lambda: (found := admin.get(f"/api/admin/training/jobs/{job['id']}").json())["status"]
                in ("completed", "failed") and found,
                "the re-scoring job ends",
            )
            assert finished["status"] == "completed", finished

            page.goto("/implementor")
            badge = page.get_by_label("Active model")
            expect(badge).to_contain_text("% accuracy")
            expect(badge).to_contain_text(re.compile(r"\d+\.\d% on e2e-real"))
        finally:
            assert admin.delete("/api/admin/eval-sets/e2e-real").status_code == 204
