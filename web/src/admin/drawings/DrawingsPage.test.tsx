import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { navigate } from "../../router/router";
import { mockFetch, type Call } from "../test/mockFetch";
import { DrawingDetailPage } from "./DrawingDetailPage";
import { DrawingsPage } from "./DrawingsPage";
import { formatListSearch, lastListPath, parseListSearch } from "./listSearch";

const SHAPES = ["circle", "star"].map((id, position) => ({
  id,
  name: id === "star" ? "Star" : "Circle",
  closed: true,
  active: true,
  position,
  createdAt: "2026-01-01T00:00:00Z",
  total: 1,
  unflagged: 1,
}));
const STATS = {
  totals: { drawings: 1, flagged: 0, unflagged: 1, flaggedShare: 0 },
  perShape: [],
  perDay: [],
  qualityHistogram: [],
  contributorSessions: 1,
  bySource: [{ source: "game", total: 1 }],
  byDevice: [],
};
const DRAWING = {
  id: "d1",
  sessionId: null,
  shape: { id: "star", name: "Star" },
  canvas: { width: 400, height: 400 },
  strokeCount: 1,
  pointCount: 2,
  durationMs: 10,
  device: "pen",
  qualityScore: 0.8,
  source: "game",
  flagged: false,
  flagReason: null,
  createdAt: "2026-01-01T00:00:00Z",
};

function stubAdminApi(page: Record<string, unknown> = { total: 30 }) {
  return mockFetch({
    "GET /api/admin/shapes": { status: 200, body: SHAPES },
    "GET /api/admin/stats": { status: 200, body: STATS },
    "GET /api/admin/drawings": { status: 200, body: { items: [DRAWING], nextCursor: "c2", ...page } },
    "GET /api/admin/drawings/d1": { status: 404, body: { error: "NOT_FOUND", message: "gone", requestId: "r" } },
  });
}

const listCalls = (calls: Call[]) => calls.filter((call) => call.path === "/api/admin/drawings");
const lastListParams = (calls: Call[]) => new URLSearchParams(listCalls(calls).at(-1)!.search);

beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, "", "/");
});
afterEach(() => window.history.replaceState(null, "", "/"));

describe("the drawing list's query string", () => {
  it("reads back what it wrote, and drops what it cannot read", () => {
    const state = {
      query: { shape: "star", flagged: false, device: "pen" as const, minQuality: 0.25, sort: "quality" as const, order: "asc" as const },
      cursors: ["c2", "c3"],
    };
    expect(parseListSearch(formatListSearch(state))).toEqual(state);
    expect(formatListSearch({ query: {}, cursors: [] })).toBe("");
    expect(parseListSearch("?device=quill&flagged=maybe&minQuality=abc&maxQuality=7&sort=x")).toEqual({
      query: { maxQuality: 1 },
      cursors: [],
    });
  });
});

describe("DrawingsPage", () => {
  it("takes its filters and page from the URL and asks the API for that list", async () => {
    window.history.replaceState(null, "", "/admin/drawings?shape=star&flagged=false&sort=quality&order=asc&cursor=c2");
    const { calls } = stubAdminApi();
    render(<DrawingsPage />);

    expect(await screen.findByText(/page 2 of 2/)).toBeInTheDocument();
    const params = lastListParams(calls);
    expect(Object.fromEntries(params)).toMatchObject({ shape: "star", flagged: "false", sort: "quality", order: "asc", cursor: "c2" });
    await waitFor(() => expect(screen.getByLabelText("Shape")).toHaveValue("star"));
    expect(screen.getByLabelText("Flagged")).toHaveValue("false");
    expect(screen.getByLabelText("Sort")).toHaveValue("worst");
  });

  it("writes each filter change and page turn into the URL, in place of the entry shown", async () => {
    window.history.replaceState(null, "", "/admin/drawings");
    const { calls } = stubAdminApi();
    const entries = window.history.length;
    render(<DrawingsPage />);
    await screen.findByRole("option", { name: "Star" });

    await userEvent.selectOptions(screen.getByLabelText("Shape"), "star");
    expect(window.location.search).toBe("?shape=star");
    await waitFor(() => expect(lastListParams(calls).get("shape")).toBe("star"));

    await userEvent.click(await screen.findByRole("button", { name: "Next page" }));
    expect(window.location.search).toBe("?shape=star&cursor=c2");
    expect(await screen.findByText(/page 2 of 2/)).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Device"), "pen");
    expect(window.location.search).toBe("?shape=star&device=pen");
    expect(window.history.length).toBe(entries);
  });

  it("says an estimated total is one, rounded, with a tooltip saying why", async () => {
    window.history.replaceState(null, "", "/admin/drawings");
    stubAdminApi({ total: 1234567, totalIsEstimate: true });
    render(<DrawingsPage />);

    const total = await screen.findByText("about 1.2 million drawings");
    expect(total).toHaveAttribute("title", "An estimate: too many drawings match to count each one");
    expect(screen.getByTitle("An estimate: too many drawings match to count each one")).toBe(total);
    expect(total.parentElement).toHaveTextContent(/^about 1\.2 million drawings · page 1 of about 51,000$/);
    expect(total.parentElement).toHaveAttribute("aria-live", "polite");
  });

  it("writes an exact total in full, with no tooltip, when the API says it is exact or says nothing", async () => {
    window.history.replaceState(null, "", "/admin/drawings");
    stubAdminApi({ total: 1234567, totalIsEstimate: false });
    const first = render(<DrawingsPage />);
    const exact = `${(1234567).toLocaleString()} drawings`;
    const total = await screen.findByText(exact);
    expect(total).not.toHaveAttribute("title");
    expect(total.parentElement).toHaveTextContent(`${exact} · page 1 of 51441`);
    expect(screen.queryByText(/about/)).not.toBeInTheDocument();
    first.unmount();

    stubAdminApi({ total: 1234567 }); // an older server: no totalIsEstimate
    render(<DrawingsPage />);
    expect(await screen.findByText(exact)).not.toHaveAttribute("title");
    expect(screen.queryByText(/about/)).not.toBeInTheDocument();
  });

  it("links a drawing's page back to the list as it was left", async () => {
    window.history.replaceState(null, "", "/admin/drawings?shape=star&device=pen");
    stubAdminApi();
    const list = render(<DrawingsPage />);
    await screen.findByRole("link", { name: /Open Star drawing/ });
    list.unmount();

    act(() => navigate("/admin/drawings/d1"));
    render(<DrawingDetailPage id="d1" />);
    expect(screen.getByRole("link", { name: "← All drawings" })).toHaveAttribute("href", "/admin/drawings?shape=star&device=pen");
    expect(lastListPath()).toBe("/admin/drawings?shape=star&device=pen");
    expect(await screen.findByText("The drawing could not be loaded.")).toBeInTheDocument();
  });
});
