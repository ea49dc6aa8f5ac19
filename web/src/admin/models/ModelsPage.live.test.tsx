import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AdminEventsProvider } from "../live/AdminEvents";
import { fakeSockets } from "../live/fakeSocket";
import { mockFetch } from "../test/mockFetch";
import { ModelsPage } from "./ModelsPage";

const model = (version: number, active: boolean) => ({
  id: `m${version}`, version, jobId: null, classes: ["circle", "square"], accuracy: 0.9, metrics: {}, datasetSize: 100,
  datasetHash: "h", active, createdAt: "2027-03-01T00:00:00Z", activatedAt: null, evaluations: [],
});

afterEach(() => window.history.replaceState(null, "", "/"));

describe("ModelsPage, live", () => {
  it("shows a model made active elsewhere without a reload", async () => {
    let activeVersion = 1;
    const { calls } = mockFetch({
      "GET /api/admin/models": () => ({ status: 200, body: [model(2, activeVersion === 2), model(1, activeVersion === 1)] }),
      "GET /api/admin/eval-sets": { status: 200, body: [] },
      "GET /api/admin/shapes": { status: 200, body: [] },
    });
    const { latest, connect } = fakeSockets();
    render(
      <AdminEventsProvider onSessionEnded={vi.fn()} connect={connect}>
        <ModelsPage />
      </AdminEventsProvider>,
    );
    expect(await screen.findByRole("article", { name: "Model version 1" })).toBeInTheDocument();
    act(() => latest().open());

    activeVersion = 2;
    act(() => latest().send({ id: "e1", type: "model.activated", at: "2027-03-01T10:00:00Z", data: { modelId: "m2", version: 2 } }));
    expect(await screen.findByRole("article", { name: "Model version 2" })).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((call) => call.path === "/api/admin/models")).toHaveLength(2));
  });
});
