"""The admin pages for the catalogue and the data, in a browser: shapes, import and export,
and the audit log."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_ui import log_in, sections
from tests.e2e.axe import assert_no_serious_violation
from tests.e2e.stack import Server
from tests.support.drawings import circle_strokes, square_strokes

pytestmark = pytest.mark.e2e

IMPORT_SOURCE = "e2e-import"


@contextmanager
def _left_inactive(server: Server, shape_id: str) -> Iterator[None]:
    """The game of the tests that follow must not prompt a shape made here, whatever happens."""
    try:
        yield
    finally:
        with server.admin_api() as api:
            api.patch(f"/api/admin/shapes/{shape_id}", json={"active": False})  # 404 when it was never made


def test_an_admin_adds_renames_and_deactivates_a_shape(page: Page, server: Server) -> None:
    shape_id, name = f"e2e-{uuid.uuid4().hex[:8]}", "E2E kite"
    log_in(page)
    sections(page).get_by_role("link", name="Shapes").click()
    expect(page.get_by_role("heading", name="Shapes", level=1)).to_be_visible()
    table = page.get_by_role("table", name="The catalogue, in the order the game prompts it")
    expect(table.get_by_role("row")).not_to_have_count(0)

    form = page.get_by_role("form", name="New shape")
    form.get_by_role("textbox", name="Id").fill(shape_id)
    form.get_by_role("textbox", name="Name").fill(name)
    with _left_inactive(server, shape_id):
        form.get_by_role("button", name="Add shape").click()
        status = page.get_by_role("main").get_by_role("status")
        expect(status).to_have_text(f"Shape “{name}” added at the end of the catalogue.")
        row = table.get_by_role("row").filter(has=page.get_by_text(shape_id, exact=True))
        expect(row).to_contain_text("Active")
        expect(table.get_by_role("row").last).to_contain_text(shape_id)

        # The same id again is refused at the Id field.
        form.get_by_role("textbox", name="Id").fill(shape_id)
        form.get_by_role("textbox", name="Name").fill("Another kite")
        form.get_by_role("button", name="Add shape").click()
        expect(form.get_by_role("textbox", name="Id")).to_have_accessible_description(re.compile(r"^already exists"))
        assert_no_serious_violation(page)  # the table, and the form with its field error

        row.get_by_role("button", name=f"Rename {name}").click()
        field = row.get_by_role("textbox", name=f"New name for {name}")
        expect(field).to_be_focused()
        field.fill("E2E box kite")
        field.press("Enter")
        expect(status).to_have_text(f"“{name}” renamed to “E2E box kite”.")
        expect(row.get_by_role("rowheader")).to_contain_text("E2E box kite")

        row.get_by_role("button", name="Deactivate E2E box kite").click()
        expect(status).to_have_text("E2E box kite is inactive: the game no longer prompts it.")
        expect(row).to_contain_text("Inactive")
        expect(row.get_by_role("button", name="Activate E2E box kite")).to_be_focused()

    with server.admin_api() as api:
        stored = next(s for s in api.get("/api/admin/shapes").json() if s["id"] == shape_id)
    assert (stored["name"], stored["active"]) == ("E2E box kite", False), stored


def test_an_admin_moves_a_shape_up_with_the_keyboard(page: Page, server: Server) -> None:
    shape_id = f"e2e-{uuid.uuid4().hex[:8]}"
    with server.admin_api() as api:
        api.post("/api/admin/shapes", json={"id": shape_id, "name": "E2E mover", "active": False}).raise_for_status()
    log_in(page)
    sections(page).get_by_role("link", name="Shapes").click()
    rows = page.get_by_role("table", name="The catalogue, in the order the game prompts it").get_by_role("row")
    expect(rows.last).to_contain_text(shape_id)

    page.get_by_role("button", name="Move E2E mover up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main").get_by_role("status").or_(page.get_by_role("alert"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0, timeout=1)
    expect(rows.nth(-2)).to_contain_text(shape_id)
    expect(page.get_by_role("button", name="Move E2E mover up")).to_be_focused()
    page.reload()
    expect(rows.nth(-2)).to_contain_text(shape_id)  # stored, not only shown


def test_an_admin_imports_a_file_sees_the_counts_and_downloads_an_export(page: Page) -> None:
    rng = random.Random()
    circle = {"label": "circle", "strokes": circle_strokes(cx=200 + rng.uniform(-40, 40), cy=200 + rng.uniform(-40, 40))}
    square = {"label": "square", "strokes": square_strokes(x=80 + rng.uniform(-40, 40), y=80 + rng.uniform(-40, 40))}
    unknown = {"label": "no-such-shape", "strokes": circle_strokes()}
    lines = [json.dumps(line) for line in (circle, square, circle, unknown)]
    log_in(page)
    sections(page).get_by_role("link", name="Import & export").click()
    expect(page.get_by_role("heading", name="Import & export", level=1)).to_be_visible()

    form = page.get_by_role("form", name="Import")
    form.get_by_label("File").set_input_files(
        {"name": "e2e.ndjson", "mimeType": "application/x-ndjson", "buffer": ("\n".join(lines) + "\n").encode()}
    )
    form.get_by_role("textbox", name="Source (optional)").fill(IMPORT_SOURCE)
    form.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "e2e.ndjson: 2 drawings imported, 1 duplicate skipped, 1 line refused."
    )
    refused = page.get_by_role("table", name="Refused lines")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("unknown shape 'no-such-shape'")
    expect(refused.get_by_role("rowheader")).to_have_text(["4"])
    assert_no_serious_violation(page)  # the import's result, and the export form

    page.get_by_role("checkbox", name="Circle", exact=True).check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download export").click()
    exported = [json.loads(line) for line in download.value.path().read_text(encoding="utf-8").splitlines() if line.strip()]
    assert exported, "the export is empty"
    assert {line["label"] for line in exported} == {"circle"}, {line["label"] for line in exported}
    assert any(line["source"] == IMPORT_SOURCE and line["strokes"] == circle["strokes"] for line in exported)


def test_an_admin_filters_the_audit_log_by_action(page: Page, server: Server) -> None:
    shape_id = f"e2e-{uuid.uuid4().hex[:8]}"
    with server.admin_api() as api:
        api.post("/api/admin/shapes", json={"id": shape_id, "name": "E2E audited", "active": False}).raise_for_status()
    log_in(page)
    sections(page).get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Audit entries, newest first")
    expect(table.get_by_role("row").nth(1)).to_be_visible()

    filters = page.get_by_role("form", name="Audit log filters")
    filters.get_by_role("combobox", name="Action").fill("shape.create")
    filters.get_by_role("button", name="Apply filters").click()
    created = table.get_by_role("row").filter(has_text=f"shape {shape_id}")
    expect(created).to_contain_text("shape.create")
    expect(created).to_contain_text("name: E2E audited")
    expect(table.get_by_role("row").filter(has_not_text="shape.create")).to_have_count(1)  # the header only
    assert_no_serious_violation(page)
