import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AdminShape } from "../../api/admin";
import type { ReviewItem } from "../../api/review";
import { mockFetch, type Call, type Reply } from "../test/mockFetch";
import { ReviewPage } from "./ReviewPage";

const NAMES: Record<string, string> = { circle: "Circle", square: "Square", star: "Star" };

function item(id: string, shape: string, reasons: Partial<ReviewItem["reasons"]> = {}): ReviewItem {
  return {
    drawingId: id,
    shape: { id: shape, name: NAMES[shape] },
    sessionId: "s1",
    source: "game",
    createdAt: "2026-01-02T00:00:00Z",
    flagged: false,
    doubt: 0.92,
    reasons: {
      labelIssue: null,
      modelAgreement: 0.5,
      modelShape: shape,
      consensus: null,
      votes: { yes: 0, no: 0, unsure: 0 },
      authorTrust: null,
      ...reasons,
    },
  };
}

const FIRST = item("d1", "star", {
  labelIssue: { score: 0.1, suggestedShape: { id: "circle", name: "Circle" }, flagged: true },
  modelAgreement: 0.08,
  modelShape: "circle",
  consensus: 0.25,
  votes: { yes: 1, no: 3, unsure: 0 },
  authorTrust: 0.4,
});
const QUEUE = [FIRST, item("d2", "square"), item("d3", "circle")];

const shape = (id: string, active = true): AdminShape => ({
  id, name: NAMES[id] ?? id, closed: true, active, position: 0, createdAt: "2026-01-01T00:00:00Z", total: 1, unflagged: 1,
});
const SHAPES = [shape("circle"), shape("square"), shape("star"), shape("old", false)];

const STROKES = { canvas: { width: 400, height: 400 }, strokes: [[[10, 10, 0], [200, 200, 100]]], duration_ms: 100, device: "mouse" };

function decided(call: Call) {
  const body = call.body as { action: "accept" | "flag" | "relabel"; shapeId?: string };
  const id = call.path.split("/").pop() as string;
  const before = QUEUE.find((queued) => queued.drawingId === id) ?? FIRST;
  const after = body.shapeId ? { id: body.shapeId, name: NAMES[body.shapeId] } : before.shape;
  return { status: 200, body: { drawingId: id, action: body.action, shape: after, flagged: body.action === "flag", reviewedAt: "2026-01-03T00:00:00Z" } };
}

function serve(queue: Reply = { status: 200, body: { items: QUEUE, nextCursor: null, total: 41 } }) {
  const decide: Reply = decided;
  return mockFetch({
    "GET /api/admin/review": queue,
    "GET /api/admin/label-issues": { status: 200, body: { items: [], scannedAt: null, drawings: 0 } },
    "GET /api/admin/shapes": { status: 200, body: SHAPES },
    "GET /api/admin/drawings/d1": { status: 200, body: { id: "d1", strokeData: STROKES } },
    "POST /api/admin/review/d1": decide,
    "POST /api/admin/review/d2": decide,
    "POST /api/admin/label-issues/scan": { status: 202, body: { id: "j1", kind: "label_issues", status: "queued" } },
  });
}

const decisions = (calls: Call[]) => calls.filter((call) => call.method === "POST" && call.path.startsWith("/api/admin/review/"));
const position = () => screen.getByText(/^\d+ of \d+$/);
const label = () => screen.getByText(/^Labelled/);

describe("ReviewPage", () => {
  it("shows the most doubtful drawing, its place in the queue and why it is doubted", async () => {
    serve();
    render(<ReviewPage />);

    expect(screen.getByRole("heading", { name: "Review" })).toBeInTheDocument();
    expect(await screen.findByText("1 of 41")).toBeInTheDocument();
    expect(label()).toHaveTextContent("Labelled Star");
    expect(await screen.findByRole("img", { name: "The drawing labelled Star" })).toBeInTheDocument();
    expect(screen.getByText("Label quality 0.10; the scan suggests Circle (marked as an issue)")).toBeInTheDocument();
    expect(screen.getByText("8% sure it is Star; it saw circle")).toBeInTheDocument();
    expect(screen.getByText("25% that the label is right")).toBeInTheDocument();
    expect(screen.getByText("1 yes · 3 no · 0 not sure")).toBeInTheDocument();
    expect(screen.getByText("40%")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Open the drawing's page" })).toHaveAttribute("href", "/admin/drawings/d1");
    expect(screen.getByText("No scan yet")).toBeInTheDocument();
    for (const name of ["Accept (Y)", "Flag (F)", "Relabel (R)", "Previous (K)", "Next (J)"]) {
      expect(screen.getByRole("button", { name })).toBeInTheDocument();
    }
  });

  it("accepts with Y and moves on to the next drawing", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.keyboard("y");

    expect(await screen.findByRole("status")).toHaveTextContent("Accepted.");
    expect(decisions(calls)).toEqual([expect.objectContaining({ path: "/api/admin/review/d1", body: { action: "accept" } })]);
    expect(position()).toHaveTextContent("1 of 40");
    expect(label()).toHaveTextContent("Labelled Square");
  });

  it("flags with F", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.keyboard("f");

    expect(await screen.findByRole("status")).toHaveTextContent("Flagged.");
    expect(decisions(calls)[0].body).toMatchObject({ action: "flag" });
    expect(label()).toHaveTextContent("Labelled Square");
  });

  it("relabels with R: the chooser opens on the suggestion, other keys wait, Enter applies", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.keyboard("r");
    const chooser = await screen.findByRole("combobox", { name: "New shape" });
    await waitFor(() => expect(chooser).toHaveFocus());
    expect(chooser).toHaveValue("circle");
    expect(screen.queryByRole("option", { name: "Star" })).not.toBeInTheDocument(); // its label now
    expect(screen.queryByRole("option", { name: "old" })).not.toBeInTheDocument(); // retired

    await userEvent.keyboard("yj");
    expect(decisions(calls)).toHaveLength(0);
    expect(position()).toHaveTextContent("1 of 41");

    await userEvent.selectOptions(chooser, "square");
    chooser.focus();
    await userEvent.keyboard("{Enter}");

    expect(await screen.findByRole("status")).toHaveTextContent("Relabelled as Square.");
    expect(decisions(calls)).toEqual([
      expect.objectContaining({ path: "/api/admin/review/d1", body: { action: "relabel", shapeId: "square" } }),
    ]);
    expect(screen.queryByRole("combobox", { name: "New shape" })).not.toBeInTheDocument();
    expect(label()).toHaveTextContent("Labelled Square");
  });

  it("closes the chooser with Escape, deciding nothing", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.click(screen.getByRole("button", { name: "Relabel (R)" }));
    await waitFor(() => expect(screen.getByRole("combobox", { name: "New shape" })).toHaveFocus());
    await userEvent.keyboard("{Escape}");

    expect(screen.queryByRole("combobox", { name: "New shape" })).not.toBeInTheDocument();
    expect(decisions(calls)).toHaveLength(0);
  });

  it("moves with J and K, and ignores keys held with Ctrl", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.keyboard("k");
    expect(position()).toHaveTextContent("1 of 41");
    await userEvent.keyboard("j");
    expect(position()).toHaveTextContent("2 of 41");
    expect(label()).toHaveTextContent("Labelled Square");
    await userEvent.keyboard("jj");
    expect(position()).toHaveTextContent("3 of 41"); // the last one loaded, and no more to fetch
    await userEvent.keyboard("k");
    expect(position()).toHaveTextContent("2 of 41");

    await userEvent.keyboard("{Control>}y{/Control}");
    expect(decisions(calls)).toHaveLength(0);
  });

  it("fetches the next page as the end of the loaded ones nears", async () => {
    let pages = 0;
    const { fetchMock } = serve(() => {
      pages += 1;
      return pages === 1
        ? { status: 200, body: { items: [FIRST], nextCursor: "c2", total: 2 } }
        : { status: 200, body: { items: [item("d2", "square")], nextCursor: null, total: 2 } };
    });
    render(<ReviewPage />);
    await screen.findByText("1 of 2");

    await waitFor(() => expect(screen.getByRole("button", { name: "Next (J)" })).toBeEnabled());
    const asked = fetchMock.mock.calls.map(([url]) => new URL(String(url), "http://localhost")).filter((url) => url.pathname === "/api/admin/review");
    expect(asked.map((url) => url.searchParams.get("cursor"))).toEqual([null, "c2"]);
    await userEvent.keyboard("j");
    expect(label()).toHaveTextContent("Labelled Square");
  });

  it("says when there is nothing to review", async () => {
    serve({ status: 200, body: { items: [], nextCursor: null, total: 0 } });
    render(<ReviewPage />);
    expect(await screen.findByText("Nothing to review.")).toBeInTheDocument();
  });

  it("starts a label-issue scan", async () => {
    const { calls } = serve();
    render(<ReviewPage />);
    await userEvent.click(screen.getByRole("button", { name: "Scan for label issues" }));

    expect(await screen.findByRole("status")).toHaveTextContent("Scan started.");
    expect(calls.find((call) => call.path === "/api/admin/label-issues/scan")?.body).toEqual({});
  });

  it("says when the same scan is already under way", async () => {
    const { routes } = serve();
    routes["POST /api/admin/label-issues/scan"] = { status: 200, body: { id: "j1", kind: "label_issues", status: "running" } };
    render(<ReviewPage />);
    await userEvent.click(screen.getByRole("button", { name: "Scan for label issues" }));

    expect(await screen.findByRole("status")).toHaveTextContent("A scan is already under way.");
  });

  it("shows the server's error when a decision fails", async () => {
    const { routes } = serve();
    routes["POST /api/admin/review/d1"] = {
      status: 400,
      body: { error: "VALIDATION_ERROR", message: "shapeId: unknown shape", requestId: "r9", details: [{ field: "shapeId", message: "unknown shape" }] },
    };
    render(<ReviewPage />);
    await screen.findByText("1 of 41");

    await userEvent.keyboard("y");

    expect(await screen.findByRole("alert")).toHaveTextContent("shapeId: unknown shape");
    expect(label()).toHaveTextContent("Labelled Star");
  });
});
