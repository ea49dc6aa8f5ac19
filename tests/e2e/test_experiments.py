"""An A/B test of two model versions in a browser: started from a model's row, followed live
as callers are dealt to its arms, then its treatment promoted to the active model."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.axe import assert_no_serious_violation
from tests.e2e.stack import Server
from tests.support.drawings import stroke_data
from tests.support.waiting import JOB_DEADLINE_S, wait_until

pytestmark = pytest.mark.e2e

SEED = 7  # names this test's training job among the others on the shared stack


def _active_model(admin: httpx.Client) -> dict[str, Any]:
    return next(model for model in admin.get("/api/admin/models").json() if model["active"])


def _train_another_model(admin: httpx.Client) -> dict[str, Any]:
    """A one-epoch model beside the active one, left inactive."""
    started = admin.post("/api/admin/training/start", json={"epochs": 1, "seed": SEED})
    assert started.status_code in (200, 201), started.text
    job_id = started.json()["id"]

    def finished() -> dict[str, Any] | None:
        job = admin.get(f"/api/admin/training/jobs/{job_id}").json()
        return job if job["status"] in ("completed", "failed", "cancelled") else None

    job = wait_until(finished, f"training job {job_id} finished", within_s=JOB_DEADLINE_S, interval_s=0.5)
    assert job["status"] == "completed", job
    model = next(model for model in admin.get("/api/admin/models").json() if model["id"] == job["modelId"])
    assert not model["active"]
    return model


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    """The admin API; afterwards no experiment runs and the model active before is again."""
    with server.admin_api() as client:
        before = _active_model(client)
        try:
            yield client
        finally:
            for experiment in client.get("/api/admin/experiments").json():
                if experiment["status"] == "running":
                    client.post(f"/api/admin/experiments/{experiment['id']}/stop")
            client.post(f"/api/admin/models/{before['id']}/activate").raise_for_status()


def _classify_until_both_arms_answer(server: Server, experiment_id: str) -> tuple[Counter[str], list[dict[str, Any]]]:
    """Callers of new sessions until each arm has answered one (the treatment reaches the
    inference side through pub/sub: answers before it are nobody's)."""
    arms: Counter[str] = Counter()
    answers: list[dict[str, Any]] = []
    with httpx.Client(base_url=server.base_url, timeout=10) as client:

        def both_answered() -> bool:
            response = client.post("/api/inference/classify", json={"strokeData": stroke_data()},
                                   headers={"X-Session-Id": f"e2e-ab-{uuid.uuid4()}"})
            response.raise_for_status()
            answer = response.json()
            if (answer.get("experiment") or {}).get("id") == experiment_id:
                arms[answer["experiment"]["arm"]] += 1
                answers.append(answer)
            return arms["control"] >= 2 and arms["treatment"] >= 2

        wait_until(both_answered, "both arms answered classify requests", interval_s=0.05)
    return arms, answers


def test_an_ab_test_started_from_a_model_row_is_followed_live_and_promoted(
    page: Page, server: Server, admin: httpx.Client
) -> None:
    control = _active_model(admin)
    treatment = _train_another_model(admin)
    name = f"v{treatment['version']} against v{control['version']}"

    log_in(page)
    expect(page.get_by_role("status", name="Live updates")).to_have_text("Live")
    sections(page).get_by_role("link", name="Models").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name=f"v{treatment['version']}", exact=True))
    expect(page.get_by_role("row").filter(has=page.get_by_role("button", name=f"v{control['version']}", exact=True))
           .get_by_role("button", name="Start A/B test")).to_have_count(0)
    row.get_by_role("button", name="Start A/B test").click()

    expect(page).to_have_url(re.compile(r"/admin/experiments\?treatment="))
    expect(sections(page).get_by_role("link", name="Experiments")).to_have_attribute("aria-current", "page")
    form = page.get_by_role("form", name="New experiment")
    expect(form.get_by_role("combobox", name="Treatment")).to_have_value(treatment["id"])
    expect(form).to_contain_text(f"Control: v{control['version']}")
    expect(form.get_by_role("spinbutton", name="Treatment's share of traffic (%)")).to_have_value("50")
    expect(form.get_by_role("spinbutton", name="Minimum effect (points)")).to_have_value("3")
    assert_no_serious_violation(page)
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("button", name="Start experiment").click()

    expect(page).to_have_url(re.compile(r"/admin/experiments/[0-9a-f-]{36}$"))
    experiment_id = page.url.rsplit("/", 1)[1]
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(name)
    expect(heading).to_contain_text("Running")
    arms = page.get_by_role("table", name="Arms")
    expect(arms.get_by_role("columnheader")).to_have_text(["Measure", "Control", "Treatment"])
    expect(arms.get_by_role("row", name=re.compile("^Model")).get_by_role("cell")).to_have_text(
        [f"v{control['version']}", f"v{treatment['version']}"])
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Keep running: 0 of [\d,]+ planned labels per arm"))
    expect(page.get_by_role("img", name=re.compile(r"^Accuracy with its 95% interval"))).to_be_visible()
    assert_no_serious_violation(page)

    # Callers are dealt to the arms; an answer's truth (feedback) makes the page read the
    # experiment again: the requests and the label show with no reload.
    page.evaluate("() => { window.pageWithoutReload = true; }")
    counted, answers = _classify_until_both_arms_answer(server, experiment_id)
    labelled = answers[-1]
    feedback = httpx.post(f"{server.base_url}/api/inference/feedback",
                          json={"predictionId": labelled["predictionId"], "correctShape": labelled["shape"]})
    assert feedback.status_code == 200, feedback.text
    requests = arms.get_by_role("row", name=re.compile("^Requests")).get_by_role("cell")
    expect(requests).to_have_text([str(counted["control"]), str(counted["treatment"])])
    labels = arms.get_by_role("row", name=re.compile("^Labelled")).get_by_role("cell")
    expect(labels).to_have_text(["1", "0"] if labelled["experiment"]["arm"] == "control" else ["0", "1"])
    assert page.evaluate("() => window.pageWithoutReload === true"), "the page was reloaded"

    page.get_by_role("button", name="Promote treatment").click()
    confirm = page.get_by_role("group", name="Confirm promotion")
    expect(confirm).to_contain_text(f"Make v{treatment['version']} the active model")
    confirm.get_by_role("button", name="Yes, promote").click()
    expect(heading).to_contain_text("Promoted")
    expect(page.get_by_role("button", name="Promote treatment")).to_have_count(0)
    assert_no_serious_violation(page)

    sections(page).get_by_role("link", name="Models").click()
    promoted = page.get_by_role("row").filter(
        has=page.get_by_role("button", name=f"v{treatment['version']}", exact=True))
    expect(promoted).to_contain_text("Active")
    expect(promoted.get_by_role("button", name="Start A/B test")).to_have_count(0)
    former = page.get_by_role("row").filter(has=page.get_by_role("button", name=f"v{control['version']}", exact=True))
    expect(former.get_by_role("button", name="Activate")).to_be_visible()
