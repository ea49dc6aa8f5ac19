"""Dataset snapshots in a browser: freeze one, read its datasheet, download it, train from it,
and delete it although a model was trained on it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Download, Locator, Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.stack import Server
from tests.e2e.axe import assert_no_serious_violation
from tests.support.waiting import JOB_DEADLINE_S

pytestmark = pytest.mark.e2e

TRAINING_DEADLINE_MS = int(JOB_DEADLINE_S * 1000)


def test_an_admin_freezes_a_snapshot_downloads_it_trains_from_it_and_deletes_it(page: Page, server: Server) -> None:
    log_in(page)
    sections(page).get_by_role("link", name="Datasets").click()
    expect(page.get_by_role("heading", name="Datasets", level=1)).to_be_visible()
    # The stack's first model was trained by a job, which froze its drawings for itself.
    expect(page.get_by_text("made by a training job").first).to_be_visible()

    name = f"e2e-{uuid.uuid4().hex[:8]}"
    drawings = _make_snapshot(page, name)
    page.get_by_role("link", name=f"Open {name}").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    per_shape = _counts(page.get_by_role("table", name="Drawings per shape"))
    assert sum(per_shape.values()) == drawings, per_shape
    assert len(per_shape) >= 2, per_shape
    sources = _counts(page.get_by_role("table", name="Sources"))
    assert sum(sources.values()) == drawings, sources
    expect(page.get_by_text(re.compile(r"^[0-9a-f]{64}$"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download (JSON Lines)").click()
    lines = [line for line in _text_of(download.value).splitlines() if line.strip()]
    assert len(lines) == drawings, f"{len(lines)} lines for {drawings} drawings"
    with page.expect_download() as datasheet:
        page.get_by_role("link", name="Download datasheet").click()
    assert name in _text_of(datasheet.value)

    version = _train_from_snapshot(page, name)
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Models trained on it").get_by_role("link", name=f"Version {version}")).to_be_visible()

    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("group", name="Confirm deletion").get_by_role("button", name="Yes, delete").click()
    refusal = page.get_by_role("alertdialog", name="The snapshot is in use.")
    expect(refusal).to_contain_text(f"v{version}")
    assert_no_serious_violation(page)  # the snapshot's page, with the refusal shown
    refusal.get_by_role("button", name="Delete anyway").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("The snapshot was deleted.")
    page.get_by_role("link", name="← All snapshots").click()
    expect(page.get_by_role("heading", name="Datasets", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="made by a training job").first).to_be_visible()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)


def _make_snapshot(page: Page, name: str) -> int:
    """Fills "New snapshot", first with a name the server refuses; returns the drawings it froze."""
    form = page.get_by_role("form", name="New snapshot")
    form.get_by_label("Name").fill("not/a name")
    form.get_by_role("button", name="Make snapshot").click()
    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violation(page)  # the list, and the form with its error shown

    form.get_by_label("Name").fill(name)
    form.get_by_label("Minimum quality").fill("0")
    with page.expect_response(lambda r: r.url.endswith("/api/admin/datasets") and r.request.method == "POST") as made:
        form.get_by_role("button", name="Make snapshot").click()
    assert made.value.status == 201, made.value.text()
    drawings = made.value.json()["drawings"]
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(f"Snapshot “{name}” made: {drawings:,} drawings.")
    expect(form.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_contain_text(f"{drawings:,}")
    return drawings


def _train_from_snapshot(page: Page, name: str) -> str:
    """Trains one epoch on the open snapshot; follows the model to the Models page and its
    snapshot link back. Returns the model's version number."""
    page.get_by_role("link", name="Train from this snapshot").click()
    expect(page.get_by_role("heading", name="Training", level=1)).to_be_visible()
    expect(page.get_by_role("combobox", name="Train from snapshot")).to_have_value(re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.get_by_role("combobox", name="Train from snapshot").locator("option:checked")).to_contain_text(name)
    expect(page.get_by_label("Minimum quality")).to_have_count(0)  # the snapshot stands in place of the filters
    page.get_by_role("spinbutton", name="Epochs").fill("1")
    page.get_by_role("button", name="Start training").click()

    job = page.locator(".job-card").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(job).to_have_count(1)
    expect(job).to_contain_text("completed", timeout=TRAINING_DEADLINE_MS)
    job.get_by_role("link", name="Trained model").click()
    picked = page.locator("tr[aria-current=true]")
    expect(picked).to_have_count(1)
    version = picked.get_by_role("rowheader").inner_text().removeprefix("v")
    picked.get_by_role("link", name=name, exact=True).click()
    return version


def _counts(table: Locator) -> dict[str, int]:
    """A count table's rows: the row's heading and its number."""
    expect(table.locator("tbody tr").first).to_be_visible()
    counts: dict[str, int] = {}
    for row in table.locator("tbody tr").all():
        counts[row.get_by_role("rowheader").inner_text()] = int(row.get_by_role("cell").inner_text().replace(",", ""))
    return counts


def _text_of(download: Download) -> str:
    return download.path().read_text(encoding="utf-8")
