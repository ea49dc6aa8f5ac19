import { describe, expect, it } from "vitest";
import type { TrainingJob } from "../../api/admin";
import type { AdminEvent } from "../../api/events";
import { applyJobEvent, mergeListed, upsertJob } from "./jobEvents";

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, trainAccuracy: 0.5, validationAccuracy: 0.4, seconds: 2 });
const job = (id: string, status: TrainingJob["status"], epochs: number, createdAt = "2027-03-01T10:00:00Z"): TrainingJob => ({
  id, status, configHash: "h", attempts: 1, error: null, modelId: null,
  config: { epochs: 5, shapes: ["a", "b"], minQuality: 0, includeSynthetic: true, includeFlagged: false, seed: null, activate: false },
  progress: { epochs: Array.from({ length: epochs }, (_, i) => epoch(i + 1)), cancelRequested: false },
  createdAt, queuedAt: null, startedAt: null, finishedAt: null,
});
const epochEvent = (n: number): AdminEvent => ({
  id: `e${n}`, type: "job.epoch", at: "", data: { jobId: "j1", epochs: 5, ...epoch(n) },
});

describe("applyJobEvent", () => {
  it("appends an epoch, replaces one heard twice, and fetches the job when epochs were missed", () => {
    const one = [job("j1", "queued", 1)];
    const two = applyJobEvent(one, epochEvent(2));
    expect(two.jobs[0].progress.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(two.jobs[0].status).toBe("running");
    expect(two.fetchJob).toBeNull();
    expect(applyJobEvent(two.jobs, epochEvent(2)).jobs[0].progress.epochs).toHaveLength(2);
    const gap = applyJobEvent(one, epochEvent(4));
    expect(gap.fetchJob).toBe("j1");
    expect(gap.jobs[0].progress.epochs.map((e) => e.epoch)).toEqual([1, 4]);
  });

  it("finishes a job with the event's status and model, and fetches it for the rest", () => {
    const finished = applyJobEvent([job("j1", "running", 5)], {
      id: "e6", type: "job.finished", at: "2027-03-01T10:05:00Z",
      data: { jobId: "j1", kind: "train", status: "failed", modelId: null, error: "out of memory" },
    });
    expect(finished.jobs[0]).toMatchObject({ status: "failed", error: "out of memory", finishedAt: "2027-03-01T10:05:00Z" });
    expect(finished.fetchJob).toBe("j1");
  });
});

describe("mergeListed", () => {
  it("keeps what events told since the list was asked for", () => {
    const shown = [job("j2", "queued", 0, "2027-03-01T11:00:00Z"), job("j1", "running", 3)];
    const merged = mergeListed([job("j1", "running", 1)], shown);
    expect(merged.map((j) => j.id)).toEqual(["j2", "j1"]);
    expect(merged[1].progress.epochs).toHaveLength(3);
    expect(mergeListed([job("j1", "completed", 5)], shown)[1].status).toBe("completed");
  });
});

describe("upsertJob", () => {
  it("puts a job among the newest, and no other kind of job", () => {
    const jobs = [job("j1", "completed", 5)];
    expect(upsertJob(jobs, job("j2", "queued", 0, "2027-03-01T12:00:00Z")).map((j) => j.id)).toEqual(["j2", "j1"]);
    expect(upsertJob(jobs, { ...job("j3", "queued", 0), kind: "evaluate" })).toBe(jobs);
  });
});
