import { render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { DrawingContributor } from "../../api/admin";
import { mockFetch } from "../test/mockFetch";
import { DrawingDetailPage } from "./DrawingDetailPage";
import { authorColors, strokeCountLabel } from "./DrawnTogether";

const line = (x: number, t: number) => [
  [x, 0, t],
  [x, 10, t + 5],
];
const HOST: DrawingContributor = { sessionId: "aaaaaaaa-1111-4000-8000-000000000001", name: "Guest 1", color: "#e11d48", strokes: [0, 2] };
const GUEST: DrawingContributor = { sessionId: "bbbbbbbb-2222-4000-8000-000000000002", name: "Guest 2", color: "#2563eb", strokes: [1] };

const SOLO = {
  id: "d1",
  sessionId: "cccccccc-3333-4000-8000-000000000003",
  shape: { id: "star", name: "Star" },
  canvas: { width: 400, height: 400 },
  strokeCount: 3,
  pointCount: 6,
  durationMs: 25,
  device: "mouse",
  qualityScore: 0.8,
  source: "game",
  flagged: false,
  flagReason: null,
  createdAt: "2026-01-01T00:00:00Z",
  strokeData: { canvas: { width: 400, height: 400 }, strokes: [line(0, 0), line(10, 10), line(20, 20)], duration_ms: 25, device: "mouse" },
  votes: { yes: 0, no: 0, unsure: 0 },
  contributors: [],
  strokeAuthors: null,
};
const TOGETHER = { ...SOLO, sessionId: HOST.sessionId, source: "together", contributors: [HOST, GUEST], strokeAuthors: [0, 1, 0] };

function showDrawing(body: unknown) {
  mockFetch({ "GET /api/admin/drawings/d1": { status: 200, body } });
  render(<DrawingDetailPage id="d1" />);
}

/** Stands in for the canvas's 2D context and records the colour of each stroke painted. */
function recordInk(): string[] {
  const inked: string[] = [];
  const context = {
    strokeStyle: "",
    setTransform: vi.fn(),
    clearRect: vi.fn(),
    beginPath: vi.fn(),
    moveTo: vi.fn(),
    lineTo: vi.fn(),
    quadraticCurveTo: vi.fn(),
    stroke: vi.fn(() => inked.push(context.strokeStyle)),
  };
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(context as unknown as CanvasRenderingContext2D);
  // Without animation frames the replay paints the whole drawing at once.
  vi.stubGlobal("requestAnimationFrame", undefined);
  return inked;
}

describe("a drawing made together", () => {
  it("lists who drew it, with their strokes and session, in the order they first drew", async () => {
    showDrawing(TOGETHER);

    const section = await screen.findByRole("region", { name: "Drawn together" });
    expect(within(section).getByRole("heading", { name: "Drawn together" })).toBeInTheDocument();
    const items = within(within(section).getByRole("list", { name: "Contributors" })).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Guest 1");
    expect(items[0]).toHaveTextContent("2 strokes");
    expect(items[0]).toHaveTextContent(`Session ${HOST.sessionId}`);
    expect(items[1]).toHaveTextContent("Guest 2");
    expect(items[1]).toHaveTextContent("1 stroke");
    expect(items[1]).toHaveTextContent(`Session ${GUEST.sessionId}`);
  });

  it("replays each stroke in its author's ink", async () => {
    const inked = recordInk();
    showDrawing(TOGETHER);
    await screen.findByRole("img", { name: "Replay of the Star drawing" });
    // The replay paints in an effect after the image is in the page.
    await waitFor(() => expect(inked.slice(-3)).toEqual([HOST.color, GUEST.color, HOST.color]));
  });
});

describe("a drawing made alone", () => {
  it("has no 'Drawn together' section", async () => {
    showDrawing(SOLO);
    expect(await screen.findByRole("img", { name: "Replay of the Star drawing" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Drawn together" })).not.toBeInTheDocument();
    expect(screen.queryByText(/Drawn together/)).not.toBeInTheDocument();
  });

  it("also has none when the API predates drawing together", async () => {
    const { contributors: _c, strokeAuthors: _a, ...older } = SOLO;
    showDrawing(older);
    expect(await screen.findByRole("img", { name: "Replay of the Star drawing" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Drawn together" })).not.toBeInTheDocument();
  });
});

describe("authorColors", () => {
  it("gives each stroke its author's colour, and nothing for a drawing made alone", () => {
    expect(authorColors([HOST, GUEST], [0, 1, 0, 7])).toEqual([HOST.color, GUEST.color, HOST.color, undefined]);
    expect(authorColors([], null)).toBeUndefined();
    expect(authorColors(undefined, undefined)).toBeUndefined();
    expect(authorColors([HOST], null)).toBeUndefined();
  });

  it("counts strokes in words", () => {
    expect(strokeCountLabel(1)).toBe("1 stroke");
    expect(strokeCountLabel(2)).toBe("2 strokes");
  });
});
