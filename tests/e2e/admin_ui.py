"""The admin dashboard's way in, as a person takes it."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.stack import ADMIN_EMAIL, ADMIN_PASSWORD


def log_in(page: Page) -> None:
    """Open /admin, get sent to the log-in form, log in, land on the overview."""
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def sections(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Admin sections")
