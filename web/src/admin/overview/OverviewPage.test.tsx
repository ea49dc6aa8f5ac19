import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AdminEvent } from "../../api/events";
import { AdminEventsProvider } from "../live/AdminEvents";
import { fakeSockets } from "../live/fakeSocket";
import { mockFetch, type Call } from "../test/mockFetch";
import { OverviewPage } from "./OverviewPage";

let drawings = 3;
const stats = () => ({
  totals: { drawings, flagged: 0, unflagged: drawings, flaggedShare: 0 },
  perShape: [{ shape: "circle", name: "Circle", active: true, total: drawings, unflagged: drawings }],
  perDay: [{ date: "2027-03-01", total: drawings }],
  qualityHistogram: [{ start: 0, end: 0.1, total: drawings }],
  contributorSessions: 1,
  bySource: [{ source: "game", total: drawings }],
  byDevice: [{ device: "mouse", total: drawings }],
});

const arrived = (id: string, n: number): AdminEvent => ({
  id, type: "drawings.stats", at: "2027-03-01T10:00:00Z",
  data: { drawings: n, perShape: { circle: n }, perMinute: [{ minute: "2027-03-01T10:00:00Z", count: n }] },
});

let calls: Call[];
const statsCalls = () => calls.filter((call) => call.path === "/api/admin/stats").length;
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
const drawingsTile = () => screen.getByText("Drawings", { selector: "dt" }).nextElementSibling;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  drawings = 3;
  ({ calls } = mockFetch({ "GET /api/admin/stats": () => ({ status: 200, body: stats() }) }));
});
afterEach(() => vi.useRealTimers());

describe("OverviewPage, live", () => {
  it("counts again as drawings arrive, at most once a second, and never on a timer", async () => {
    const { latest, connect } = fakeSockets();
    render(
      <AdminEventsProvider onSessionEnded={vi.fn()} connect={connect}>
        <OverviewPage />
      </AdminEventsProvider>,
    );
    await advance(0);
    act(() => latest().open());
    expect(drawingsTile()).toHaveTextContent("3");
    await advance(30_000);
    expect(statsCalls()).toBe(1);

    drawings = 5;
    act(() => latest().send(arrived("e1", 2)));
    await advance(0);
    expect(statsCalls()).toBe(2);
    expect(drawingsTile()).toHaveTextContent("5");

    drawings = 9;
    for (const id of ["e2", "e3", "e4"]) {
      act(() => latest().send(arrived(id, 1)));
      await advance(200);
    }
    expect(statsCalls()).toBe(2); // inside the second: held back
    await advance(400);
    expect(statsCalls()).toBe(3); // once, when the second ended
    expect(drawingsTile()).toHaveTextContent("9");
    await advance(5_000);
    expect(statsCalls()).toBe(3);

    act(() => latest().send({ id: "e5", type: "resync", at: "", data: {} }));
    await advance(0);
    expect(statsCalls()).toBe(4);
  });
});
