import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch } from "../test/mockFetch";
import { ModelsPage } from "./ModelsPage";

const evaluation = (accuracy: number) => ({
  evalSet: "dollar1",
  accuracy,
  drawings: 2100,
  perClass: { circle: { accuracy, drawings: 300 } },
  evaluatedAt: "2026-01-02T00:00:00Z",
});

const model = (version: number, accuracy: number, evaluations: unknown[]) => ({
  id: `m${version}`,
  version,
  jobId: null,
  classes: ["circle", "square"],
  accuracy,
  metrics: {},
  datasetSize: 100,
  datasetHash: "h",
  active: version === 2,
  createdAt: "2026-01-01T00:00:00Z",
  activatedAt: null,
  evaluations,
});

const SET = { name: "dollar1", drawings: 2100, shapes: ["circle", "square"], createdAt: "2026-01-01T00:00:00Z" };

const scrollIntoView = Element.prototype.scrollIntoView;
afterEach(() => {
  window.history.replaceState(null, "", "/");
  Element.prototype.scrollIntoView = scrollIntoView;
});

describe("ModelsPage", () => {
  it("shows the model a link names, its row in view and picked, with shape names in its tables", async () => {
    const scrolled: Element[] = [];
    Element.prototype.scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this);
    });
    window.history.replaceState(null, "", "/admin/models?model=m1");
    const trained = {
      ...model(1, 0.98, []),
      classes: ["check", "circle"],
      metrics: {
        per_class: { check: { precision: 0.9, recall: 0.8, support: 10 }, circle: { precision: 1, recall: 1, support: 12 } },
        confusion_matrix: [[8, 2], [0, 12]],
        inputs: ["raster", "pen_path"],
      },
    };
    mockFetch({
      "GET /api/admin/models": { status: 200, body: [model(2, 0.996, []), trained] },
      "GET /api/admin/eval-sets": { status: 200, body: [] },
      "GET /api/admin/shapes": { status: 200, body: [{ id: "check", name: "Check mark" }] },
    });
    render(<ModelsPage />);

    const detail = await screen.findByRole("article", { name: "Model version 1" });
    const row = screen.getByRole("row", { name: /v1/ });
    expect(row).toHaveAttribute("aria-current", "true");
    expect(scrolled).toEqual([row]);
    const perClass = within(detail).getByRole("table", { name: "Per class (validation set)" });
    expect(await within(perClass).findByRole("rowheader", { name: "Check mark" })).toBeInTheDocument();
    expect(within(perClass).getByRole("rowheader", { name: "circle" })).toBeInTheDocument(); // no name known
    expect(within(detail).getByRole("img", { name: "Confusion matrix of 2 shapes" })).toHaveTextContent("Check mark");
    expect(detail).toHaveTextContent("reads the drawing and the pen's path");

    await userEvent.click(screen.getByRole("button", { name: "v2" }));
    expect(window.location.search).toBe("?model=m2");
    expect(await screen.findByRole("article", { name: "Model version 2" })).toBeInTheDocument();
    expect(scrolled).toHaveLength(1);
  });

  it("shows each set's accuracy beside validation accuracy, across versions", async () => {
    mockFetch({
      "GET /api/admin/models": { status: 200, body: [model(2, 0.996, [evaluation(0.934)]), model(1, 0.98, [evaluation(0.9)])] },
      "GET /api/admin/eval-sets": { status: 200, body: [SET] },
    });
    render(<ModelsPage />);

    const [table] = await screen.findAllByRole("table");
    expect(await within(table).findByRole("columnheader", { name: "On dollar1" })).toBeInTheDocument();
    const row = within(table).getByRole("row", { name: /v2/ });
    expect(within(row).getByText("99.6%")).toBeInTheDocument();
    expect(within(row).getByText("93.4%")).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Accuracy on evaluation sets" })).toHaveTextContent(
      "93.4% on dollar1 (2,100 real drawings), beside 99.6% validation accuracy",
    );
    expect(screen.getByRole("img", { name: "Accuracy on evaluation sets across versions" })).toBeInTheDocument();
    expect(screen.getByRole("rowheader", { name: "dollar1" })).toBeInTheDocument();
  });

  it("adds and removes a set, and re-scores a model", async () => {
    let sets: unknown[] = [];
    const { calls } = mockFetch({
      "GET /api/admin/models": { status: 200, body: [model(1, 0.98, [])] },
      "GET /api/admin/eval-sets": () => ({ status: 200, body: sets }),
      "POST /api/admin/eval-sets": () => {
        sets = [SET];
        return { status: 201, body: SET };
      },
      "DELETE /api/admin/eval-sets/dollar1": () => {
        sets = [];
        return { status: 204 };
      },
      "POST /api/admin/models/m1/evaluate": { status: 201, body: { id: "j1", kind: "evaluate", status: "completed" } },
    });
    render(<ModelsPage />);

    expect(await screen.findByText("No evaluation set is registered.")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Set name"), "dollar1");
    const file = new File(['{"label": "circle", "strokes": [[[0, 0, 0], [5, 5, 10]]]}\n'], "dollar1.jsonl");
    await userEvent.upload(screen.getByLabelText("Drawings file (JSON Lines)"), file);
    await userEvent.click(screen.getByRole("button", { name: "Add evaluation set" }));

    expect(await screen.findByRole("rowheader", { name: "dollar1" })).toBeInTheDocument();
    const added = calls.find((call) => call.method === "POST" && call.path === "/api/admin/eval-sets");
    expect(added?.body).toBe(file);

    await userEvent.click(screen.getByRole("button", { name: "Re-score version 1" }));
    await waitFor(() => expect(calls.some((call) => call.path === "/api/admin/models/m1/evaluate")).toBe(true));

    await userEvent.click(screen.getByRole("button", { name: "Remove evaluation set dollar1" }));
    expect(await screen.findByText("No evaluation set is registered.")).toBeInTheDocument();
  });

  it("links each model to the snapshot it was trained on", async () => {
    mockFetch({
      "GET /api/admin/models": {
        status: 200,
        body: [{ ...model(2, 0.996, []), datasetId: "d1", datasetName: "spring-2027" }, { ...model(1, 0.98, []), datasetId: null, datasetName: null }],
      },
      "GET /api/admin/eval-sets": { status: 200, body: [] },
    });
    render(<ModelsPage />);

    const trained = await screen.findByRole("row", { name: /v2/ });
    expect(within(trained).getByRole("link", { name: "spring-2027" })).toHaveAttribute("href", "/admin/datasets/d1");
    expect(within(screen.getByRole("row", { name: /v1/ })).queryByRole("link")).not.toBeInTheDocument();
  });

  it("starts an A/B test from a model's row: the Experiments page's form, set to that model", async () => {
    mockFetch({
      "GET /api/admin/models": { status: 200, body: [model(3, 0.99, []), model(2, 0.996, []), model(1, 0.98, [])] },
      "GET /api/admin/eval-sets": { status: 200, body: [] },
    });
    render(<ModelsPage />);

    const active = await screen.findByRole("row", { name: /v2/ });
    expect(within(active).queryByRole("button", { name: "Start A/B test" })).not.toBeInTheDocument();
    const start = within(screen.getByRole("row", { name: /v1/ })).getByRole("button", { name: "Start A/B test" });
    expect(start).toHaveAccessibleDescription("version 1");
    await userEvent.click(start);
    expect(window.location.pathname + window.location.search).toBe("/admin/experiments?treatment=m1");
  });
});
