import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TrainingJob } from "../../api/admin";
import { mockFetch } from "../test/mockFetch";
import { startedNotice, useTrainingJobs } from "./useTrainingJobs";

const job = (status: TrainingJob["status"]): TrainingJob => ({
  id: "0123456789abcdef",
  status,
  config: { epochs: 2, shapes: ["circle"], minQuality: 0, includeSynthetic: true, includeFlagged: false, seed: 1, activate: false },
  configHash: "abc",
  progress: { epochs: [], cancelRequested: false },
  attempts: 1,
  error: null,
  modelId: status === "completed" ? "m1" : null,
  createdAt: "2026-01-01T00:00:00Z",
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
});

describe("startedNotice", () => {
  it("follows the started job's status in the latest list, and says nothing once it ended", () => {
    const started = { job: job("queued"), created: true };
    expect(startedNotice(started, [])).toBe("Training job 01234567 is queued.");
    expect(startedNotice(started, [job("running")])).toBe("Training job 01234567 is running.");
    expect(startedNotice(started, [job("completed")])).toBeNull();
    expect(startedNotice(started, [job("failed")])).toBeNull();
    expect(startedNotice({ job: job("running"), created: false }, undefined)).toBe("The same config is already running as job 01234567.");
    expect(startedNotice(null, [job("running")])).toBeNull();
  });
});

describe("useTrainingJobs", () => {
  it("drops the queued notice when the polled list shows the job completed", async () => {
    let listed: TrainingJob[] = [];
    mockFetch({
      "GET /api/admin/training/jobs": () => ({ status: 200, body: { items: listed, nextCursor: null } }),
      "POST /api/admin/training/start": () => {
        listed = [job("queued")];
        return { status: 201, body: job("queued") };
      },
    });
    const { result } = renderHook(() => useTrainingJobs());
    await waitFor(() => expect(result.current.jobs).toEqual([]));

    await act(() => result.current.start({ epochs: 2 }));
    expect(result.current.notice).toBe("Training job 01234567 is queued.");
    await waitFor(() => expect(result.current.jobs[0]?.status).toBe("queued"));

    listed = [job("completed")];
    await waitFor(() => expect(result.current.jobs[0]?.status).toBe("completed"));
    expect(result.current.notice).toBeNull();
  });
});
