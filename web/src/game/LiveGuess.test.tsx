import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClassifier, guessOf } from "../inference/fake";
import { drawStroke } from "../test/pointer";
import { agreedBefore, termsAnswer } from "./consent.fixture";
import { GamePage } from "./GamePage";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function stubApi(liveGuess: boolean) {
  const fetchMock = vi.fn(async (url: string) => {
    if (url === "/api/shapes/next") return json(200, { id: "circle", name: "Circle" });
    if (url === "/api/terms") return termsAnswer();
    if (url === "/api/game/settings") return json(200, { liveGuess });
    if (url === "/api/shapes") return json(200, [{ id: "circle", name: "Circle", closed: true }, { id: "square", name: "Square", closed: true }]);
    return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("the model's guess while drawing", () => {
  beforeEach(() => agreedBefore());

  it("says what the model sees after each stroke, and when it got the prompted shape", async () => {
    stubApi(true);
    const model = new FakeClassifier([guessOf("square", 0.72), guessOf("circle", 0.93)]);
    render(<GamePage openClassifier={async () => model} />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    const line = await screen.findByRole("status", { name: "Model's guess" });
    expect(line).toHaveAttribute("aria-live", "polite");
    expect(line).toHaveTextContent("");

    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await waitFor(() => expect(line).toHaveTextContent("I think it's a square… (72%)"));
    expect(model.asked[0]).toHaveLength(1); // the drawing so far: one stroke

    drawStroke(screen.getByLabelText("Drawing canvas"), [[60, 60], [10, 60], [10, 10]]);
    await waitFor(() => expect(line).toHaveTextContent("Got it — that's a circle!"));
    expect(model.asked.at(-1)).toHaveLength(2);
  });

  it("asks once for a burst of strokes, after the drawing settles", async () => {
    stubApi(true);
    const model = new FakeClassifier([guessOf("square", 0.6)]);
    render(<GamePage openClassifier={async () => model} />);
    const line = await screen.findByRole("status", { name: "Model's guess" });
    await waitFor(() => expect(model.syncs).toBeGreaterThan(0));
    const canvas = screen.getByLabelText("Drawing canvas");
    drawStroke(canvas, [[10, 10], [60, 10]]);
    drawStroke(canvas, [[10, 20], [60, 20]]);
    drawStroke(canvas, [[10, 30], [60, 30]]);
    await waitFor(() => expect(line).toHaveTextContent("I think it's a square… (60%)"));
    expect(model.asked).toHaveLength(1);
    expect(model.asked[0]).toHaveLength(3);
  });

  it("guesses while a long stroke is still being drawn", async () => {
    stubApi(true);
    const model = new FakeClassifier([guessOf("circle", 0.55)]);
    render(<GamePage openClassifier={async () => model} />);
    const line = await screen.findByRole("status", { name: "Model's guess" });
    await waitFor(() => expect(model.syncs).toBeGreaterThan(0));
    const canvas = screen.getByLabelText("Drawing canvas");
    const at = (clientX: number, clientY: number) => ({ clientX, clientY, pointerId: 1, pointerType: "mouse", button: 0 });
    fireEvent.pointerDown(canvas, at(10, 10));
    fireEvent.pointerMove(canvas, at(40, 12));
    fireEvent.pointerMove(canvas, at(60, 30));
    await waitFor(() => expect(line).toHaveTextContent("I think it's a circle… (55%)"));
    expect(model.asked[0]).toEqual([[[10, 10, expect.any(Number)], [40, 12, expect.any(Number)], [60, 30, expect.any(Number)]]]);
    fireEvent.pointerUp(canvas, at(60, 30));
  });

  it("loads nothing and shows no line when the operator turned it off", async () => {
    const fetchMock = stubApi(false);
    const open = vi.fn(async () => new FakeClassifier([guessOf("circle", 0.9)]));
    render(<GamePage openClassifier={open} />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await waitFor(() => expect(fetchMock).toHaveBeenCalledWith("/api/game/settings", expect.anything()));
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(screen.queryByRole("status", { name: "Model's guess" })).not.toBeInTheDocument();
    expect(open).not.toHaveBeenCalled();
    expect(fetchMock.mock.calls.map(([url]) => url)).not.toContain("/api/shapes");
  });

  it("keeps quiet when no model can be loaded", async () => {
    stubApi(true);
    const broken = new FakeClassifier([guessOf("circle", 0.9)]);
    const sync = vi.fn(() => Promise.reject(new Error("No model loaded")));
    broken.sync = sync;
    render(<GamePage openClassifier={async () => broken} />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await waitFor(() => expect(sync).toHaveBeenCalled());
    await waitFor(() => expect(screen.queryByRole("status", { name: "Model's guess" })).not.toBeInTheDocument());
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(broken.asked).toHaveLength(0);
  });
});
