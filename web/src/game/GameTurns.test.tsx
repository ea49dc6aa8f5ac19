import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { drawStroke } from "../test/pointer";
import { agreedBefore, termsAnswer } from "./consent.fixture";
import { GamePage } from "./GamePage";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const star = { id: "star", name: "Star" };
const circle = { id: "circle", name: "Circle" };
const triangle = { id: "triangle", name: "Triangle" };

const created = (overrides: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  shape: star,
  qualityScore: 0.95,
  modelAgreement: 0.97,
  modelShape: star,
  nextShape: triangle,
  userStats: { total: 1, today: 1 },
  ...overrides,
});

const task = {
  id: "5b7c3a8e-1111-4c1d-9a2b-0c0d0e0f1a2b",
  drawingId: "0b8a3f0e-6c1d-4f55-9d62-1a2b3c4d5e6f",
  shape: star,
  strokeData: { canvas: { width: 400, height: 400 }, strokes: [[[10, 10, 0], [90, 90, 50]]], duration_ms: 50, device: "mouse" },
};

interface Api {
  every?: number;
  drawings: Array<() => Response>;
  verifications?: Array<() => Response>;
}

function stubApi({ every, drawings, verifications = [] }: Api) {
  agreedBefore();
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    if (url === "/api/shapes/next") return json(200, star);
    if (url === "/api/terms") return termsAnswer();
    if (url === "/api/drawings") return drawings.shift()!();
    if (url === "/api/verifications/policy" && every !== undefined) return json(200, { every });
    if (url === "/api/verifications/next") return verifications.shift()!();
    if (url === `/api/verifications/${task.id}` && init?.method === "POST") {
      const { answer } = JSON.parse(init.body as string);
      return json(201, { id: "v1", taskId: task.id, drawingId: task.drawingId, answer, createdAt: "2026-12-05T00:00:00Z" });
    }
    return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const calls = (fetchMock: ReturnType<typeof stubApi>, url: string) =>
  fetchMock.mock.calls.filter(([called]) => called === url) as unknown as Array<[string, RequestInit]>;

async function drawAndSubmit() {
  drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50], [90, 10]]);
  await userEvent.click(screen.getByRole("button", { name: "Submit" }));
}

describe("GamePage: the model's doubt", () => {
  it("asks kindly when the model sees another shape, and Retry draws the same prompt again", async () => {
    const fetchMock = stubApi({
      drawings: [() => json(201, created({ qualityScore: 0.12, modelAgreement: 0.12, modelShape: circle })), () => json(201, created())],
    });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a star" });
    await drawAndSubmit();

    const doubt = await screen.findByRole("status", { name: "Model doubt" });
    expect(doubt).toHaveTextContent("That looks more like a circle — want to try the star again?");
    expect(doubt).toHaveTextContent("Your drawing is saved either way.");
    expect(screen.getByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled();

    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(screen.queryByRole("status", { name: "Model doubt" })).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
    expect(screen.getByLabelText("Drawing canvas")).toHaveAttribute("data-strokes", "0");

    await drawAndSubmit();
    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    const keys = calls(fetchMock, "/api/drawings").map(([, init]) => (init.headers as Headers).get("X-Idempotency-Key"));
    expect(new Set(keys).size).toBe(2); // the retry is a new drawing; the first stays saved
  });

  it("moves on to the next prompt on Submit anyway", async () => {
    stubApi({ drawings: [() => json(201, created({ qualityScore: 0.2, modelAgreement: 0.2, modelShape: circle }))] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a star" });
    await drawAndSubmit();

    await userEvent.click(await screen.findByRole("button", { name: "Submit anyway" }));
    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    expect(screen.queryByRole("status", { name: "Model doubt" })).not.toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Drawing saved" })).toHaveTextContent("Thanks, kept as you drew it!");
  });

  it("says nothing when no model answered", async () => {
    stubApi({ drawings: [() => json(201, created({ qualityScore: 0.9, modelAgreement: null, modelShape: null }))] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a star" });
    await drawAndSubmit();

    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Drawing saved" })).toHaveTextContent("90%");
    expect(screen.queryByRole("status", { name: "Model doubt" })).not.toBeInTheDocument();
  });
});

describe("GamePage: verification turns", () => {
  it("shows another player's drawing on its turn and sends the answer", async () => {
    const fetchMock = stubApi({ every: 2, drawings: [() => json(201, created())], verifications: [() => json(200, task)] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a star" });
    await waitFor(() => expect(calls(fetchMock, "/api/verifications/policy")).toHaveLength(1));
    await drawAndSubmit();

    expect(await screen.findByRole("heading", { name: "Is this a star?" })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Another player's drawing" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Not sure" })).toBeEnabled();
    // The drawing just sent keeps its score while the question is asked.
    expect(screen.getByRole("status", { name: "Drawing saved" })).toHaveTextContent("Your star scored 95%");
    await userEvent.click(screen.getByRole("button", { name: "Yes" }));

    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    const [[, init]] = calls(fetchMock, `/api/verifications/${task.id}`);
    expect(JSON.parse(init.body as string)).toEqual({ answer: "yes" });
    expect((init.headers as Headers).get("X-Session-Id")).toBe(localStorage.getItem("crowdsketch.sessionId"));
  });

  it("goes on drawing when no drawing is waiting", async () => {
    const fetchMock = stubApi({
      every: 2,
      drawings: [() => json(201, created()), () => json(201, created({ nextShape: circle }))],
      verifications: [() => new Response(null, { status: 204 })],
    });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a star" });
    await waitFor(() => expect(calls(fetchMock, "/api/verifications/policy")).toHaveLength(1));
    await drawAndSubmit();

    expect(await screen.findByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    await waitFor(() => expect(calls(fetchMock, "/api/verifications/next")).toHaveLength(1));
    expect(screen.queryByRole("heading", { name: /Is this/ })).not.toBeInTheDocument();
    await drawAndSubmit(); // turn 3: a drawing turn, nothing asked
    expect(await screen.findByRole("heading", { name: "Draw a circle" })).toBeInTheDocument();
    expect(calls(fetchMock, "/api/verifications/next")).toHaveLength(1);
  });
});
