import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { dataset, SHAPES } from "../datasets/fixtures";
import { mockFetch } from "../test/mockFetch";
import { TrainingPage } from "./TrainingPage";

afterEach(() => window.history.replaceState(null, "", "/"));

describe("TrainingPage", () => {
  it("picks the snapshot a link names, and starts a job on it", async () => {
    window.history.replaceState(null, "", "/admin/training?dataset=d1");
    let jobs: unknown[] = [];
    const { calls } = mockFetch({
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
      "GET /api/admin/datasets": { status: 200, body: [dataset("d1", "spring-2027"), dataset("d2", "autumn")] },
      "GET /api/admin/training/jobs": () => ({ status: 200, body: { items: jobs, nextCursor: null } }),
      "POST /api/admin/training/start": (call) => {
        const job = { id: "j1", status: "completed", config: { ...(call.body as object), seed: null }, configHash: "h",
          progress: { epochs: [], cancelRequested: false }, attempts: 1, error: null, modelId: "m1",
          createdAt: "2027-03-01T00:00:00Z", queuedAt: null, startedAt: null, finishedAt: null };
        jobs = [job];
        return { status: 201, body: job };
      },
    });
    render(<TrainingPage />);

    const choice = await screen.findByRole("combobox", { name: "Train from snapshot" });
    await waitFor(() => expect(choice).toHaveDisplayValue("spring-2027 (150 drawings)"));
    await userEvent.selectOptions(choice, "d2");
    expect(window.location.search).toBe("?dataset=d2");
    await userEvent.click(screen.getByRole("button", { name: "Start training" }));

    await waitFor(() => expect(calls.some((call) => call.method === "POST")).toBe(true));
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ epochs: 8, datasetId: "d2", activate: false });
    expect(await screen.findByRole("link", { name: "autumn" })).toHaveAttribute("href", "/admin/datasets/d2");

    await userEvent.selectOptions(choice, "");
    expect(window.location.search).toBe("");
    expect(screen.getByLabelText("Minimum quality")).toBeInTheDocument();
  });
});
