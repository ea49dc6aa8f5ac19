"""The review queue in a browser: an admin works through doubtful drawings from the keyboard."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, update

from crowdsketch.db.models import Drawing
from tests.e2e.admin_ui import log_in, sections
from tests.e2e.consent import agree_through_api
from tests.e2e.stack import Server
from tests.support.drawings import circle_strokes, drawing_body, submission_headers

pytestmark = pytest.mark.e2e

DOUBTFUL = 4
LOW_AGREEMENT = 0.1  # the model all but sure it is not the label: doubt 0.9


def seed_doubtful_drawings(server: Server, n: int) -> list[str]:
    """`n` circles that players submitted as stars. The model's verdict on each is set low in
    the server's database as well, so that they wait in the review queue whatever the
    one-epoch model made of them (or if it did not answer in time)."""
    ids = []
    session_id = str(uuid.uuid4())
    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        agree_through_api(api, session_id)
        for i in range(n):
            strokes = circle_strokes(cx=180 + 10 * i, r=100 + 5 * i)  # no two alike
            headers = submission_headers(session_id, shape_id="star")
            stored = api.post("/api/drawings", json=drawing_body("star", strokes), headers=headers)
            assert stored.status_code == 201, stored.text
            ids.append(stored.json()["id"])
    engine = create_engine(f"sqlite:///{server.data_dir / 'crowdsketch.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Drawing)
                .where(Drawing.id.in_([uuid.UUID(id_) for id_ in ids]))
                .values(model_agreement=LOW_AGREEMENT, model_shape="circle")
            )
    finally:
        engine.dispose()
    return ids


def test_an_admin_reviews_doubtful_drawings_with_the_keyboard(page: Page, server: Server) -> None:
    seed_doubtful_drawings(server, DOUBTFUL)
    log_in(page)

    sections(page).get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    position = page.get_by_text(re.compile(r"^\d+ of \d+$"))
    expect(position).to_have_text(re.compile(r"^1 of \d+$"))
    waiting = int(position.inner_text().split(" of ")[1])
    assert waiting >= DOUBTFUL
    expect(page.get_by_role("button", name="Accept (Y)")).to_be_visible()
    status = page.get_by_role("main").get_by_role("status")

    page.keyboard.press("y")
    expect(status).to_have_text("Accepted.")
    expect(position).to_have_text(f"1 of {waiting - 1}")

    page.keyboard.press("j")
    expect(position).to_have_text(f"2 of {waiting - 1}")
    page.keyboard.press("k")
    expect(position).to_have_text(f"1 of {waiting - 1}")

    page.keyboard.press("f")
    expect(status).to_have_text("Flagged.")
    expect(position).to_have_text(f"1 of {waiting - 2}")

    details = page.get_by_role("link", name="Open the drawing's page").get_attribute("href")
    page.keyboard.press("r")
    chooser = page.get_by_role("combobox", name="New shape")
    expect(chooser).to_be_focused()
    offered = chooser.locator("option").all_inner_texts()
    suggested = chooser.evaluate("select => select.options[select.selectedIndex].text")
    choice = next(name for name in reversed(offered) if name != suggested)  # the admin's own choice
    chooser.select_option(label=choice)
    chooser.press("Enter")
    expect(status).to_have_text(f"Relabelled as {choice}.")
    expect(chooser).to_be_hidden()
    expect(position).to_have_text(f"1 of {waiting - 3}")

    # The relabelled drawing keeps its old label in its history.
    assert details is not None
    page.goto(details)
    history = page.locator(".admin-facts div").filter(has_text="Label history")
    expect(history).to_contain_text(re.compile(r"was \S+ → \S+"))
