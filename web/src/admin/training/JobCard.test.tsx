import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { TrainingJob } from "../../api/admin";
import { JobCard } from "./JobCard";

const completed: TrainingJob = {
  id: "job-1",
  status: "completed",
  config: { epochs: 2, shapes: ["circle"], minQuality: 0, includeSynthetic: true, includeFlagged: false, seed: 1, activate: false },
  configHash: "abc",
  progress: { epochs: [], cancelRequested: false },
  attempts: 1,
  error: null,
  modelId: "model/7",
  createdAt: "2026-01-01T00:00:00Z",
  queuedAt: null,
  startedAt: null,
  finishedAt: "2026-01-01T00:01:00Z",
};

describe("JobCard", () => {
  it("links to the model this job trained, not to whichever model is active", () => {
    render(<JobCard job={completed} cancelling={false} onCancel={vi.fn()} />);
    expect(screen.getByRole("link", { name: "Trained model" })).toHaveAttribute("href", "/admin/models?model=model%2F7");
  });

  it("says why the trained model was not made active", () => {
    const refused = { ...completed, progress: { ...completed.progress, notActivated: "validation accuracy 0.083 is below the floor 0.500" } };
    render(<JobCard job={refused} cancelling={false} onCancel={vi.fn()} />);
    expect(screen.getByText("Not made active: validation accuracy 0.083 is below the floor 0.500")).toBeInTheDocument();
  });

  it("names and links the snapshot a job trained on", () => {
    const onSnapshot = { ...completed, config: { epochs: 2, datasetId: "d1", seed: null, activate: false } } as unknown as TrainingJob;
    render(<JobCard job={onSnapshot} cancelling={false} onCancel={vi.fn()} datasetNames={new Map([["d1", "spring-2027"]])} />);
    expect(screen.getByRole("link", { name: "spring-2027" })).toHaveAttribute("href", "/admin/datasets/d1");
    expect(screen.getByText(/2 epochs · random seed/)).toBeInTheDocument();
  });
});
