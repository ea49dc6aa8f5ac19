"""API keys in a browser, on a server that requires them (CROWDSKETCH_INFERENCE_AUTH=required):
an admin makes a key and reads it off the page once, an app calls inference with it, the key's
usage shows those calls, and a revoked key is refused; the implementor portal asks for a key
when the server refuses it one, and classifies with it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.axe import assert_no_serious_violation
from tests.conftest import require
from tests.e2e.pen import draw_with_mouse, outline_for
from tests.e2e.stack import REPO_ROOT, WEB_BUILD, Server, start_server, stop_server
from tests.support.drawings import stroke_data
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

CLASSIFY = "/api/inference/classify"
A_LINE = {"strokeData": stroke_data([[[10, 50, 0], [90, 50, 100]]])}
NO_STROKES = {"strokeData": {"strokes": []}}  # refused (400) after the key admitted it: an error
MEDIAN_MS = re.compile(r"^\d+(\.\d+)?$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own stack, where inference requires a key (the package's leaves it optional)."""
    require(WEB_BUILD.is_file(), f"the web app is not built ({WEB_BUILD.relative_to(REPO_ROOT)}; run `make setup`)")
    running = start_server(tmp_path_factory.mktemp("e2e-keys"), {"CROWDSKETCH_INFERENCE_AUTH": "required"})
    try:
        yield running
    finally:
        stop_server(running)


def test_an_admin_makes_a_key_sees_its_calls_counted_and_revokes_it(page: Page, server: Server) -> None:
    name = f"e2e app {uuid.uuid4().hex[:6]}"  # the server is shared with the module's other test
    log_in(page)
    sections(page).get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()

    form = page.get_by_role("form", name="New key")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Requests a minute").fill("100")
    form.get_by_label("Allowed origins").fill("https://app.example.org")
    form.get_by_role("button", name="Create key").click()
    shown = page.get_by_role("region", name=f"New key for “{name}”")
    expect(shown).to_contain_text("Copy it now: it will not be shown again.")
    key = shown.get_by_label("API key").input_value()
    assert key.startswith("csk_"), key
    assert_no_serious_violation(page)

    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
    expect(row).to_contain_text(key[:12])
    expect(row).to_contain_text("100 a minute")
    expect(row).to_contain_text("https://app.example.org")
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text(key)

    # Without the key: refused, and counted nowhere.
    assert httpx.post(f"{server.base_url}{CLASSIFY}", json=A_LINE, timeout=10).json()["error"] == "API_KEY_REQUIRED"
    # Three drawings classified and one refused for having no strokes: four calls, one error.
    with httpx.Client(base_url=server.base_url, timeout=10, headers={"Authorization": f"Bearer {key}"}) as app:
        versions = set()
        for _ in range(3):
            answer = app.post(CLASSIFY, json=A_LINE)
            assert answer.status_code == 200, answer.text
            assert answer.headers["RateLimit-Limit"] == "100"
            versions.add(answer.json()["modelVersion"])
        refused = app.post(CLASSIFY, json=NO_STROKES)
        assert refused.status_code == 400, refused.text
    [version] = versions

    row.get_by_role("link", name=f"Usage of {name}").click()
    usage = page.get_by_role("region", name=f"Usage of “{name}”")
    totals = usage.get_by_role("status", name="Usage totals")

    # The counts reach the database about once a second: the page is read again until they are
    # in, in both of its reads (the list and the usage are two requests, and a flush may fall
    # between them).
    def counted() -> bool:
        page.reload()
        expect(totals).to_be_visible()
        return (totals.inner_text() == "Last 30 days: 4 requests, 1 error."
                and row.get_by_role("cell").nth(4).inner_text() == "4")

    wait_until(counted, "the key's usage shows its four calls")
    today = datetime.now(UTC).date().isoformat()
    expect(usage.get_by_role("img", name="Requests per day (last 30 UTC days)")).to_be_visible()
    expect(usage.locator("svg title").last).to_have_text(f"{today}: 4")
    days = usage.get_by_role("table", name="Requests by day and model version").locator("tbody tr")
    expect(days).to_have_count(2)
    expect(days.filter(has_text=f"v{version}").get_by_role("cell")).to_have_text([f"v{version}", "3", "0", MEDIAN_MS])
    expect(days.filter(has_text="No model").get_by_role("cell")).to_have_text(["No model", "1", "1", MEDIAN_MS])
    # The list's month columns say the same.
    expect(row.get_by_role("cell").nth(4)).to_have_text("4")
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")
    expect(row.get_by_role("cell").nth(3)).not_to_have_text("Never")
    row.get_by_role("button", name=f"Edit {name}").click()
    expect(page.get_by_role("form", name=f"Edit “{name}”")).to_be_visible()
    assert_no_serious_violation(page)
    page.keyboard.press("Escape")

    row.get_by_role("button", name=f"Revoke {name}").click()
    row.get_by_role("group", name=f"Confirm revoking {name}").get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_role("main").get_by_role("status").filter(has_text="is revoked")).to_be_visible()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button", name=f"Revoke {name}")).to_have_count(0)

    def refused_now() -> bool:
        answer = httpx.post(f"{server.base_url}{CLASSIFY}", json=A_LINE, headers={"Authorization": f"Bearer {key}"}, timeout=10)
        return answer.status_code == 401 and answer.json()["error"] == "API_KEY_INVALID"

    wait_until(refused_now, "the revoked key is refused")


def test_the_portal_asks_for_a_key_when_the_server_requires_one_and_classifies_with_it(page: Page, server: Server) -> None:
    with server.admin_api() as admin:
        made = admin.post("/api/admin/api-keys", json={"name": f"portal {uuid.uuid4().hex[:6]}"})
        assert made.status_code == 201, made.text
        key = made.json()["key"]
    page.goto("/implementor")
    expect(page.get_by_label("Active model")).to_be_visible()
    expect(page.get_by_label("API key")).to_have_count(0)

    draw_with_mouse(page, outline_for("circle"))
    with page.expect_response(f"**{CLASSIFY}") as refused:
        page.get_by_role("button", name="Classify").click()
    assert refused.value.status == 401 and refused.value.json()["error"] == "API_KEY_REQUIRED"
    expect(page.get_by_role("alert")).to_contain_text("This server needs an API key to classify")
    field = page.get_by_label("API key")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("type", "password")

    field.fill(key)
    with page.expect_response(f"**{CLASSIFY}") as answered:
        page.get_by_role("button", name="Classify").click()
    assert answered.value.ok, answered.value.text()
    assert answered.value.request.headers["authorization"] == f"Bearer {key}"
    expect(page.get_by_role("region", name="Prediction")).to_contain_text("on the server")
    # Kept for this tab only.
    kept = "key => [Object.values(sessionStorage).includes(key), Object.values(localStorage).includes(key)]"
    assert page.evaluate(kept, key) == [True, False]
