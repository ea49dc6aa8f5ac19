"""Direct uploads in a browser: on a server whose threshold (CROWDSKETCH_DIRECT_UPLOAD_BYTES)
is low, the game sends a small drawing inline and a large one by direct upload
(`POST /api/drawings/uploads`, a PUT of the strokes, `POST /api/drawings {shapeId, uploadId}`);
the player sees both saved alike."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Response, expect

from tests.conftest import require
from tests.e2e.consent import agree_to_terms
from tests.e2e.pen import draw_with_mouse, outline_for
from tests.e2e.stack import REPO_ROOT, WEB_BUILD, Server, start_server, stop_server

pytestmark = pytest.mark.e2e

THRESHOLD = 2000  # bytes of stroke JSON; one outline is well under it
MIN_POINT_BYTES = 8  # `[x,y,t],`: the least a captured point adds to the JSON


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own stack, with the low threshold (the package's keeps the default)."""
    require(WEB_BUILD.is_file(), f"the web app is not built ({WEB_BUILD.relative_to(REPO_ROOT)}; run `make setup`)")
    running = start_server(tmp_path_factory.mktemp("e2e-direct"), {"CROWDSKETCH_DIRECT_UPLOAD_BYTES": str(THRESHOLD)})
    try:
        yield running
    finally:
        stop_server(running)


def _open_game(page: Page) -> dict[str, Any]:
    """The game page once it knows the threshold and the terms are agreed to; its first shape."""
    with page.expect_response("**/api/game/settings") as settings, page.expect_response("**/api/shapes/next") as first:
        page.goto("/")
    assert settings.value.json()["directUploadBytes"] == THRESHOLD, settings.value.text()
    shape = first.value.json()
    agree_to_terms(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())
    return shape


def _saved(page: Page, total: int) -> None:
    """The results panel, past the one-epoch model's doubt (see test_game.py)."""
    saved, doubt = page.get_by_role("status", name="Drawing saved"), page.get_by_role("status", name="Model doubt")
    expect(saved.or_(doubt)).to_be_visible()
    if doubt.is_visible():
        page.get_by_role("button", name="Submit anyway").click()
    expect(saved).to_contain_text(f"{total} today · {total} in all")


def _points_per_outline(outline: list[list[tuple[float, float]]]) -> int:
    """Points a mouse drawing of `outline` makes at least: its first, and two steps per move."""
    return sum(1 + 2 * (len(stroke) - 1) for stroke in outline)


def _drawing_request(request: Request) -> bool:
    """A request that sends a drawing: to /api/drawings and under it, and the upload's PUT
    wherever the upload URL points."""
    return request.method == "PUT" or (request.method == "POST" and "/api/drawings" in request.url)


def _is_finalize(response: Response) -> bool:
    return response.url.endswith("/api/drawings") and response.request.method == "POST"


def test_a_small_drawing_goes_inline_and_a_large_one_by_direct_upload_and_both_are_saved(page: Page, server: Server) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request) if _drawing_request(request) else None)
    shape = _open_game(page)

    # One outline: inline, as ever.
    draw_with_mouse(page, outline_for(shape["id"]))
    with page.expect_response(_is_finalize) as inline:
        page.get_by_role("button", name="Submit").click()
    assert inline.value.status == 201, inline.value.text()
    sent = inline.value.request.post_data_json
    assert sent["shapeId"] == shape["id"] and "uploadId" not in sent
    assert len(json.dumps(sent["strokeData"], separators=(",", ":")).encode()) < THRESHOLD
    assert [r.method for r in requests] == ["POST"], [f"{r.method} {r.url}" for r in requests]
    _saved(page, 1)
    shape = inline.value.json()["nextShape"]
    expect(page.get_by_role("heading", level=1)).to_contain_text(shape["name"].lower())

    # The same shape drawn over and over, past the threshold: by direct upload.
    outline = outline_for(shape["id"])
    times = -(-THRESHOLD // (MIN_POINT_BYTES * _points_per_outline(outline)))
    for _ in range(times):
        draw_with_mouse(page, outline)
    expect(page.get_by_label("Drawing canvas")).to_have_attribute("data-strokes", str(times * len(outline)))
    requests.clear()
    with page.expect_response(lambda r: r.url.endswith("/api/drawings/uploads") and r.request.method == "POST") as upload, \
            page.expect_response(lambda r: r.request.method == "PUT") as put, \
            page.expect_response(_is_finalize) as finalize:
        page.get_by_role("button", name="Submit").click()

    assert upload.value.status == 201, upload.value.text()
    asked, ticket = upload.value.request.post_data_json, upload.value.json()
    assert asked["shapeId"] == shape["id"] and asked["size"] >= THRESHOLD, asked
    assert ticket["method"] == "PUT" and ticket["uploadUrl"] == put.value.url, ticket

    assert put.value.status == 200, put.value.text()
    body = put.value.request.post_data_buffer
    assert body is not None and len(body) == asked["size"]
    assert hashlib.sha256(body).hexdigest() == asked["sha256"]
    put_headers = put.value.request.all_headers()
    assert put_headers.get("content-type") == ticket["headers"]["Content-Type"]
    assert "cookie" not in put_headers and "x-session-id" not in put_headers

    assert finalize.value.status == 201, finalize.value.text()
    assert finalize.value.request.post_data_json == {"shapeId": shape["id"], "uploadId": ticket["uploadId"]}
    key = upload.value.request.header_value("x-idempotency-key")
    assert key and finalize.value.request.header_value("x-idempotency-key") == key
    assert [f"{r.method} {r.url.split('?')[0]}" for r in requests] == [
        f"POST {server.base_url}/api/drawings/uploads", f"PUT {ticket['uploadUrl'].split('?')[0]}",
        f"POST {server.base_url}/api/drawings"]
    created = finalize.value.json()
    assert created["shape"]["id"] == shape["id"]
    _saved(page, 2)

    with server.admin_api() as admin:
        stored = admin.get(f"/api/admin/drawings/{created['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["strokeData"] == json.loads(body), "the drawing's strokes are the bytes uploaded"
