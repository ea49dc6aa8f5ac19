import { act, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EpochProgress, TrainingJob } from "../../api/admin";
import type { AdminEvent } from "../../api/events";
import { AdminEventsProvider } from "../live/AdminEvents";
import { fakeSockets } from "../live/fakeSocket";
import { mockFetch, type Call } from "../test/mockFetch";
import { TrainingPage } from "./TrainingPage";

const EPOCHS = 4;
const progress = (epoch: number): EpochProgress => ({ epoch, loss: 2 / epoch, trainAccuracy: 0.2 * epoch, validationAccuracy: 0.15 * epoch, seconds: 3 });

function job(id: string, status: TrainingJob["status"], epochs: number, createdAt = "2027-03-01T10:00:00Z"): TrainingJob {
  return {
    id, status, configHash: "h", attempts: 1, error: null, modelId: status === "completed" ? "m1" : null,
    config: { epochs: EPOCHS, shapes: ["circle", "square"], minQuality: 0, includeSynthetic: true, includeFlagged: false, seed: 1, activate: false },
    progress: { epochs: Array.from({ length: epochs }, (_, i) => progress(i + 1)), cancelRequested: false },
    createdAt, queuedAt: null, startedAt: null, finishedAt: null,
  };
}

const epochEvent = (id: string, epoch: number): AdminEvent => ({
  id, type: "job.epoch", at: "2027-03-01T10:01:00Z", data: { jobId: "j1", epochs: EPOCHS, ...progress(epoch) },
});

let listed: TrainingJob[];
let single: Record<string, TrainingJob>;
let calls: Call[];

const listCalls = () => calls.filter((call) => call.path === "/api/admin/training/jobs").length;
const jobCalls = (id: string) => calls.filter((call) => call.path === `/api/admin/training/jobs/${id}`).length;
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
const card = () => screen.getAllByRole("listitem").find((item) => item.classList.contains("job-card"))!;
const epochsDone = () => within(card()).getByRole("progressbar", { name: "Epochs done" });

function renderLive() {
  const sockets = fakeSockets();
  render(
    <AdminEventsProvider onSessionEnded={vi.fn()} connect={sockets.connect}>
      <TrainingPage />
    </AdminEventsProvider>,
  );
  return sockets;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  listed = [job("j1", "running", 1)];
  single = {};
  ({ calls } = mockFetch({
    "GET /api/admin/shapes": { status: 200, body: [] },
    "GET /api/admin/datasets": { status: 200, body: [] },
    "GET /api/admin/training/jobs": () => ({ status: 200, body: { items: listed, nextCursor: null } }),
    "GET /api/admin/training/jobs/j1": () => ({ status: 200, body: single.j1 }),
    "GET /api/admin/training/jobs/j2": () => ({ status: 200, body: single.j2 }),
  }));
});

afterEach(() => vi.useRealTimers());

describe("TrainingPage, live", () => {
  it("moves a running job's progress and curves per epoch event, with no list request", async () => {
    const { latest } = renderLive();
    await advance(0);
    act(() => latest().open());
    expect(epochsDone()).toHaveAttribute("aria-valuenow", "1");
    expect(listCalls()).toBe(1);

    act(() => latest().send(epochEvent("e2", 2)));
    expect(epochsDone()).toHaveAttribute("aria-valuenow", "2");
    expect(card()).toHaveTextContent("Epoch 2 of 4 · loss 1.000 · train 40.0% · validation 30.0%");
    act(() => latest().send(epochEvent("e3", 3)));
    expect(epochsDone()).toHaveAttribute("aria-valuenow", "3");
    expect(within(card()).getByRole("img", { name: /Loss per epoch/ })).toBeInTheDocument();

    await advance(10_000);
    expect(listCalls()).toBe(1); // no polling while live
    expect(jobCalls("j1")).toBe(0); // the epochs came in order: nothing to fetch

    single.j1 = { ...job("j1", "completed", 4), progress: { ...job("j1", "completed", 4).progress, notActivated: "below the floor" } };
    act(() => latest().send(epochEvent("e4", 4)));
    act(() =>
      latest().send({ id: "e5", type: "job.finished", at: "2027-03-01T10:02:00Z", data: { jobId: "j1", kind: "train", status: "completed", modelId: "m1", error: null } }),
    );
    expect(card()).toHaveTextContent("completed");
    await advance(0);
    expect(jobCalls("j1")).toBe(1);
    expect(card()).toHaveTextContent("Not made active: below the floor");
    expect(listCalls()).toBe(1);
  });

  it("polls the list every 2 s only while the socket is down, and reloads it once when events were lost", async () => {
    const { latest, sockets } = renderLive();
    await advance(0);
    act(() => latest().open());
    act(() => latest().send(epochEvent("e2", 2)));
    await advance(6_000);
    expect(listCalls()).toBe(1);

    act(() => latest().drop(1006));
    await advance(2_000);
    expect(sockets).toHaveLength(2); // trying again, after the last event seen
    expect(latest().since).toBe("e2");
    expect(listCalls()).toBe(2);
    await advance(2_000);
    expect(listCalls()).toBe(3);

    act(() => latest().open(true));
    await advance(6_000);
    expect(listCalls()).toBe(3);

    act(() => latest().send({ id: "e9", type: "resync", at: "", data: {} }));
    await advance(6_000);
    expect(listCalls()).toBe(4);
  });

  it("fetches a job it does not show yet on its own, and leaves other kinds of job out", async () => {
    listed = [];
    const { latest } = renderLive();
    await advance(0);
    act(() => latest().open());
    expect(screen.getByText("No training job yet.")).toBeInTheDocument();

    act(() => latest().send({ id: "e1", type: "job.queued", at: "", data: { jobId: "j0", kind: "evaluate" } }));
    single.j2 = job("j2", "queued", 0, "2027-03-01T11:00:00Z");
    act(() => latest().send({ id: "e2", type: "job.queued", at: "", data: { jobId: "j2", kind: "train" } }));
    await advance(0);
    expect(jobCalls("j2")).toBe(1);
    expect(calls.some((call) => call.path.endsWith("/j0"))).toBe(false);
    expect(card()).toHaveTextContent("queued");

    act(() => latest().send({ id: "e3", type: "job.started", at: "2027-03-01T11:00:05Z", data: { jobId: "j2", kind: "train", epochs: EPOCHS } }));
    expect(card()).toHaveTextContent("running");
    expect(listCalls()).toBe(1);
  });
});
