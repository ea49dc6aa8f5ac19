import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Experiment } from "../../api/experiments";
import type { AdminEvent } from "../../api/events";
import { AdminEventsProvider } from "../live/AdminEvents";
import { fakeSockets } from "../live/fakeSocket";
import { mockFetch, type Call } from "../test/mockFetch";
import { ExperimentPage } from "./ExperimentPage";
import { experiment } from "./fixtures";

let current: Experiment;
let calls: Call[];

const reads = () => calls.filter((call) => call.path === "/api/admin/experiments/e1").length;
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
/** `experiment.updated` is not among api/events.ts's types: the socket passes it on as it is. */
const updated = (experimentId: string, id = "u1") => ({ id, type: "experiment.updated", at: "", data: { experimentId } }) as unknown as AdminEvent;
const withRequests = (requests: number) => {
  const shown = experiment();
  shown.arms = shown.arms.map((arm) => (arm.arm === "treatment" ? { ...arm, requests } : arm));
  return shown;
};

function renderLive() {
  const sockets = fakeSockets();
  render(
    <AdminEventsProvider onSessionEnded={vi.fn()} connect={sockets.connect}>
      <ExperimentPage id="e1" />
    </AdminEventsProvider>,
  );
  return sockets;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  current = experiment();
  ({ calls } = mockFetch({ "GET /api/admin/experiments/e1": () => ({ status: 200, body: current }) }));
});

afterEach(() => vi.useRealTimers());

describe("ExperimentPage, live", () => {
  it("reads the experiment again on its events, at most once a second, and not on another's", async () => {
    const { latest } = renderLive();
    await advance(0);
    act(() => latest().open());
    expect(reads()).toBe(1);

    current = withRequests(700);
    act(() => latest().send(updated("e1")));
    await advance(0);
    expect(reads()).toBe(2);
    expect(screen.getByRole("row", { name: /^Requests/ })).toHaveTextContent("700");

    current = withRequests(720);
    act(() => latest().send(updated("e1", "u2")));
    act(() => latest().send(updated("e1", "u3")));
    await advance(500);
    expect(reads()).toBe(2);
    await advance(600);
    expect(reads()).toBe(3); // the two events in the window make one read when it closes
    expect(screen.getByRole("row", { name: /^Requests/ })).toHaveTextContent("720");

    act(() => latest().send(updated("e9", "u4")));
    await advance(10_000);
    expect(reads()).toBe(3); // and nothing is polled while live
  });

  it("polls every 5 s only while the socket is down, and stops once it has ended", async () => {
    const { latest } = renderLive();
    await advance(0);
    expect(reads()).toBe(1);
    await advance(5_000);
    expect(reads()).toBe(2); // not live yet: polled

    act(() => latest().open());
    await advance(15_000);
    expect(reads()).toBe(2);

    act(() => latest().drop(1006));
    await advance(5_000);
    expect(reads()).toBe(3);

    current = experiment({ status: "promoted", endedAt: "2027-03-02T10:00:00Z" });
    await advance(5_000);
    expect(reads()).toBe(4);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Promoted");
    await advance(20_000);
    expect(reads()).toBe(4);
  });
});
