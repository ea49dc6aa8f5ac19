import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { drawStroke } from "../test/pointer";
import { agreedBefore, termsAnswer } from "./consent.fixture";
import { GamePage } from "./GamePage";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const created = {
  id: "0b8a3f0e-6c1d-4f55-9d62-1a2b3c4d5e6f",
  shape: { id: "circle", name: "circle" },
  qualityScore: 0.9,
  nextShape: { id: "triangle", name: "triangle" },
  userStats: { total: 7, today: 2 },
};

function stubApi(drawingAnswers: Array<() => Response>) {
  const fetchMock = vi.fn(async (url: string) => {
    if (url === "/api/shapes/next") return json(200, { id: "circle", name: "circle" });
    if (url === "/api/terms") return termsAnswer();
    if (url === "/api/drawings") return drawingAnswers.shift()!();
    return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("GamePage", () => {
  beforeEach(() => agreedBefore());

  it("prompts, takes a drawing, shows the score and moves to the next shape", async () => {
    stubApi([() => json(201, created)]);
    render(<GamePage />);
    expect(await screen.findByRole("heading", { name: "Draw a circle" })).toBeInTheDocument();
    const submit = screen.getByRole("button", { name: "Submit" });
    expect(submit).toBeDisabled();

    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50], [90, 10]]);
    await userEvent.click(submit);

    expect(await screen.findByRole("status", { name: "Drawing saved" })).toHaveTextContent("90%");
    expect(screen.getByText("2 today · 7 in all")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled();
  });

  it("shows Retry after a retryable failure and saves on retry with the same key", async () => {
    const fetchMock = stubApi([
      () => json(503, { error: "SERVICE_UNAVAILABLE", message: "Storage is down", requestId: "r", retryAfter: 2 }),
      () => json(201, created),
    ]);
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50]], "touch");
    await userEvent.keyboard("{Enter}");

    expect(await screen.findByRole("alert")).toHaveTextContent("Storage is down");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    await screen.findByRole("heading", { name: "Draw a triangle" });

    const posts = fetchMock.mock.calls.filter(([url]) => url === "/api/drawings") as unknown as Array<[string, RequestInit]>;
    const keys = posts.map(([, init]) => (init.headers as Headers).get("X-Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(JSON.parse(posts[0][1].body as string).strokeData.device).toBe("touch");
  });

  it("drops a failed drawing's Retry once the drawing is changed", async () => {
    stubApi([() => json(503, { error: "SERVICE_UNAVAILABLE", message: "Storage is down", requestId: "r", retryAfter: 2 })]);
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    const canvas = screen.getByLabelText("Drawing canvas");
    drawStroke(canvas, [[10, 10], [50, 50]]);
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByRole("button", { name: "Retry" })).toBeInTheDocument();
    drawStroke(canvas, [[60, 60], [70, 70]]);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Submit" })).toBeEnabled();
  });

  it("undoes with Ctrl+Z and clears with Escape", async () => {
    stubApi([]);
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    const canvas = screen.getByLabelText("Drawing canvas");
    drawStroke(canvas, [[10, 10], [20, 20]]);
    drawStroke(canvas, [[30, 30], [40, 40]]);
    expect(canvas).toHaveAttribute("data-strokes", "2");
    await userEvent.keyboard("{Control>}z{/Control}");
    expect(canvas).toHaveAttribute("data-strokes", "1");
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(canvas).toHaveAttribute("data-strokes", "0"));
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
  });

  it("submits on Enter after Undo was clicked, and Space still presses the focused tool", async () => {
    const fetchMock = stubApi([() => json(201, created)]);
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    const canvas = screen.getByLabelText("Drawing canvas");
    drawStroke(canvas, [[10, 10], [20, 20]]);
    drawStroke(canvas, [[30, 30], [40, 40]]);
    drawStroke(canvas, [[50, 50], [60, 60]]);
    const undo = screen.getByRole("button", { name: "Undo" });
    await userEvent.click(undo);
    expect(undo).toHaveFocus();
    expect(canvas).toHaveAttribute("data-strokes", "2");

    await userEvent.keyboard(" ");
    expect(canvas).toHaveAttribute("data-strokes", "1");
    await userEvent.keyboard("{Enter}");

    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    const posts = fetchMock.mock.calls.filter(([url]) => url === "/api/drawings") as unknown as Array<[string, RequestInit]>;
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0][1].body as string).strokeData.strokes).toHaveLength(1);
  });

  it("keeps Enter on a button outside the drawing tools for that button", async () => {
    const fetchMock = stubApi([
      () => json(503, { error: "SERVICE_UNAVAILABLE", message: "Storage is down", requestId: "r", retryAfter: 2 }),
      () => json(201, created),
    ]);
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50]]);
    await userEvent.keyboard("{Enter}");
    screen.getByRole("button", { name: "Retry" }).focus();
    await userEvent.keyboard("{Enter}");

    await screen.findByRole("heading", { name: "Draw a triangle" });
    expect(fetchMock.mock.calls.filter(([url]) => url === "/api/drawings")).toHaveLength(2);
  });
});
