"""Drawing on the page's canvas as a person would: with the mouse, or with a finger.

Outlines are in fractions of the canvas (0 top/left, 1 bottom/right). Each mouse step costs
about 17 ms in Chromium, so an outline has a few points and each move is one step."""

from __future__ import annotations

import math

from playwright.sync_api import Locator, Page

Outline = list[list[tuple[float, float]]]  # strokes of points


def _polygon(corners: int, radius: float = 0.3, turn: float = -math.pi / 2) -> list[tuple[float, float]]:
    points = [
        (0.5 + radius * math.cos(turn + 2 * math.pi * i / corners), 0.5 + radius * math.sin(turn + 2 * math.pi * i / corners))
        for i in range(corners)
    ]
    return [*points, points[0]]


def _star() -> list[tuple[float, float]]:
    points = [
        (0.5 + r * math.cos(-math.pi / 2 + math.pi * i / 5), 0.5 + r * math.sin(-math.pi / 2 + math.pi * i / 5))
        for i, r in enumerate([0.32, 0.13] * 5)
    ]
    return [*points, points[0]]


OUTLINES: dict[str, Outline] = {
    "circle": [_polygon(16)],
    "square": [[(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25)]],
    "rectangle": [[(0.15, 0.32), (0.85, 0.32), (0.85, 0.68), (0.15, 0.68), (0.15, 0.32)]],
    "triangle": [_polygon(3)],
    "diamond": [_polygon(4)],
    "hexagon": [_polygon(6)],
    "star": [_star()],
    "line": [[(0.2, 0.7), (0.5, 0.5), (0.8, 0.3)]],
    "arrow": [[(0.15, 0.5), (0.85, 0.5)], [(0.65, 0.35), (0.85, 0.5), (0.65, 0.65)]],
    "check": [[(0.2, 0.5), (0.4, 0.72), (0.8, 0.25)]],
    "cross": [[(0.25, 0.25), (0.75, 0.75)], [(0.75, 0.25), (0.25, 0.75)]],
    "zigzag": [[(0.15, 0.6), (0.3, 0.4), (0.45, 0.6), (0.6, 0.4), (0.75, 0.6), (0.9, 0.4)]],
}


def outline_for(shape_id: str) -> Outline:
    """The prompted shape's outline; a shape the catalogue added later gets a zigzag."""
    return OUTLINES.get(shape_id, OUTLINES["zigzag"])


def canvas(page: Page) -> Locator:
    return page.get_by_role("img", name="Drawing canvas")


def _to_page(page: Page, outline: Outline) -> list[list[tuple[float, float]]]:
    box = canvas(page).bounding_box()
    assert box is not None, "the drawing canvas is not laid out"
    return [[(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke] for stroke in outline]


def draw_with_mouse(page: Page, outline: Outline) -> None:
    for stroke in _to_page(page, outline):
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*point, steps=2)
        page.mouse.up()


def draw_with_finger(page: Page, outline: Outline) -> None:
    """Touch events through the DevTools protocol: Chromium turns them into pointer events
    of type `touch`, as a phone's screen would."""
    session = page.context.new_cdp_session(page)
    try:
        for stroke in _to_page(page, outline):
            session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [_touch(stroke[0])]})
            for point in stroke[1:]:
                session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [_touch(point)]})
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        session.detach()


def _touch(point: tuple[float, float]) -> dict[str, float]:
    return {"x": point[0], "y": point[1], "radiusX": 4, "radiusY": 4, "force": 0.5, "id": 1}
