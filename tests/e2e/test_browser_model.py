"""The active model run in the browser (onnxruntime-web, in a worker): the game's live guess
while a person draws, and the implementor portal's "Run in the browser", with the network
and then without it."""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from crowdsketch.synthetic import synthetic_drawing
from tests.e2e.consent import agree_to_terms
from tests.e2e.pen import Outline, draw_with_mouse
from tests.e2e.stack import Server
from tests.support.waiting import JOB_DEADLINE_S, wait_until

pytestmark = pytest.mark.e2e

CLASSIFY = "/api/inference/classify"
# The stack's own model trained one epoch and takes a circle for anything; ten epochs of the
# same synthetic drawings tell a circle apart (about 0.9) in ten seconds or so.
KNOWING_EPOCHS = 10
KNOWING_SEED = 1616  # names this module's job among the others on the shared stack
PATH_SEED = 1617


def _clean_circle(points: int = 40) -> Outline:
    ring = [(0.5 + 0.32 * math.cos(2 * math.pi * i / points), 0.5 + 0.32 * math.sin(2 * math.pi * i / points)) for i in range(points)]
    return [[*ring, ring[0]]]


def _active_version(server: Server) -> int:
    return int(httpx.get(f"{server.base_url}/api/inference/model/info", timeout=10).json()["version"])


def _activate(admin: httpx.Client, server: Server, model: dict[str, Any]) -> None:
    answer = admin.post(f"/api/admin/models/{model['id']}/activate")
    assert answer.status_code == 200, answer.text
    wait_until(lambda: _active_version(server) == model["version"], f"the server serves model v{model['version']}")


@pytest.fixture
def a_model_that_knows_circles(server: Server) -> Iterator[None]:
    """A better model active for one test; the stack's own is active again afterwards."""
    with server.admin_api() as admin:
        [before] = [model for model in admin.get("/api/admin/models").json() if model["active"]]
        _activate(admin, server, _trained(admin, {"epochs": KNOWING_EPOCHS, "seed": KNOWING_SEED}))
        try:
            yield
        finally:
            _activate(admin, server, before)


@pytest.fixture
def a_model_that_reads_paths(server: Server) -> Iterator[None]:
    """A model trained with people's drawings (imported, each with its writer) active for one
    test: it reads the pen's path beside the raster, so the browser feeds it both."""
    rng = random.Random(uuid.uuid4().hex)  # new drawings each run: an import skips ones stored before
    lines = [json.dumps({"label": shape, "subject": f"e2e-writer-{i % 3}", **synthetic_drawing(shape, rng).model_dump(mode="json")})
             for i in range(6) for shape in ("circle", "square", "triangle")]
    with server.admin_api() as admin:
        [before] = [model for model in admin.get("/api/admin/models").json() if model["active"]]
        imported = admin.post("/api/admin/import", params={"source": "e2e-people"}, content="\n".join(lines) + "\n",
                              headers={"Content-Type": "application/x-ndjson"})
        assert imported.status_code == 200 and imported.json()["imported"] == len(lines), imported.text
        _activate(admin, server, _trained(admin, {"epochs": KNOWING_EPOCHS, "seed": PATH_SEED}))
        try:
            card = httpx.get(f"{server.base_url}/api/inference/model/card", timeout=10).json()
            assert (card["path"], card["pathInputName"]) == ({"points": 32, "max_points": 128}, "pen_path"), card
            yield
        finally:
            _activate(admin, server, before)


def _trained(admin: httpx.Client, config: dict[str, Any]) -> dict[str, Any]:
    """The model a training job with `config` made."""
    job = admin.post("/api/admin/training/start", json=config)
    assert job.status_code in (200, 201), job.text
    finished = wait_until(
        lambda: (found := admin.get(f"/api/admin/training/jobs/{job.json()['id']}").json())["status"]
        in ("completed", "failed") and found,
        "the training job ends",
        within_s=JOB_DEADLINE_S,
    )
    assert finished["status"] == "completed", finished
    [model] = [model for model in admin.get("/api/admin/models").json() if model["id"] == finished["modelId"]]
    return model


def _record_classify_requests(page: Page) -> list[str]:
    sent: list[str] = []

    def seen(request: Request) -> None:
        if CLASSIFY in request.url:
            sent.append(request.url)

    page.on("request", seen)
    return sent


@pytest.mark.usefixtures("a_model_that_knows_circles")
def test_the_game_says_it_sees_a_circle_while_one_is_drawn_before_it_is_submitted(page: Page) -> None:
    sent = _record_classify_requests(page)
    with page.expect_response("**/api/game/settings") as settings:
        page.goto("/")
    assert settings.value.json()["liveGuess"] is True
    agree_to_terms(page)
    guess = page.get_by_role("status", name="Model's guess")
    expect(guess).to_be_attached()

    draw_with_mouse(page, _clean_circle())
    expect(guess).to_contain_text(re.compile(r"I think it's a circle… \(\d+%\)|Got it — that's a circle!"))
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()  # nothing was submitted
    assert sent == []  # the guess came from the browser


def _switch_on_the_browser_model(page: Page) -> None:
    page.get_by_role("switch", name="Run in the browser").check()
    expect(page.get_by_role("status", name="Browser model")).to_contain_text("runs in your browser")


def _best(page: Page, where: str) -> tuple[str, float]:
    """The shape the prediction names and its confidence in %, once it says who answered."""
    prediction = page.get_by_role("region", name="Prediction")
    expect(prediction).to_contain_text(where)
    best = prediction.get_by_role("meter", name=re.compile("^Confidence in "))
    return best.get_attribute("aria-label") or "", float(best.get_attribute("aria-valuenow") or "nan")


def test_the_portal_classifies_in_the_browser_as_the_server_does_without_asking_it(page: Page) -> None:
    _classify_on_the_server_then_in_the_browser(page)


@pytest.mark.usefixtures("a_model_that_reads_paths")
def test_a_model_that_reads_the_pen_path_runs_in_the_browser_as_on_the_server(page: Page) -> None:
    _classify_on_the_server_then_in_the_browser(page)


def _classify_on_the_server_then_in_the_browser(page: Page) -> None:
    page.goto("/implementor")
    expect(page.get_by_label("Active model")).to_be_visible()
    draw_with_mouse(page, _clean_circle())
    with page.expect_response(f"**{CLASSIFY}") as answer:
        page.get_by_role("button", name="Classify").click()
    assert answer.value.ok, answer.value.text()
    on_server = _best(page, "on the server")

    sent = _record_classify_requests(page)
    _switch_on_the_browser_model(page)
    page.get_by_role("button", name="Classify").click()  # the same drawing
    in_browser = _best(page, "in your browser")
    assert in_browser[0] == on_server[0]
    assert in_browser[1] == pytest.approx(on_server[1], abs=0.11)  # % to one decimal: float32 may round either way
    classes = page.request.get("/api/inference/model/card").json()["classes"]
    bars = page.get_by_role("list", name="All predictions").get_by_role("meter")
    expect(bars).to_have_count(len(classes))
    assert sent == []


def test_the_portal_classifies_in_the_browser_with_the_network_gone(page: Page) -> None:
    sent = _record_classify_requests(page)
    page.goto("/implementor")
    _switch_on_the_browser_model(page)

    page.context.set_offline(True)
    try:
        assert page.evaluate("() => navigator.onLine") is False
        draw_with_mouse(page, _clean_circle())
        page.get_by_role("button", name="Classify").click()
        _best(page, "in your browser")
        page.get_by_role("button", name="Clear").click()
        expect(page.get_by_role("region", name="Prediction")).to_have_count(0)
        draw_with_mouse(page, _clean_circle(24))
        page.get_by_role("button", name="Classify").click()
        _best(page, "in your browser")
    finally:
        page.context.set_offline(False)
    assert sent == []
