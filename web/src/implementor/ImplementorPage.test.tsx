import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { drawStroke } from "../test/pointer";
import ImplementorPage from "./ImplementorPage";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const noModel = () => json(503, { error: "SERVICE_UNAVAILABLE", message: "No model is loaded yet", requestId: "r", retryAfter: 30 });

describe("ImplementorPage", () => {
  it("shows the model badge and classifies a drawing", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/shapes"
          ? json(200, [{ id: "square", name: "Square", closed: true }, { id: "check", name: "Check mark", closed: false }])
          : url === "/api/inference/model/info"
          ? json(200, {
              id: "m",
              version: 3,
              accuracy: 0.915,
              loadedAt: "2025-01-01T00:00:00Z",
              classes: ["check", "circle", "square"],
              evaluations: [{ evalSet: "dollar1", accuracy: 0.934, drawings: 2100, perClass: {}, evaluatedAt: "2025-01-02T00:00:00Z" }],
            })
          : json(200, {
              shape: "check",
              confidence: 0.7,
              allPredictions: [{ shape: "check", confidence: 0.7 }, { shape: "circle", confidence: 0.3 }],
              inferenceTimeMs: 1.2,
              modelVersion: 3,
            }),
      ),
    );
    render(<ImplementorPage />);
    expect(await screen.findByText("Model v3")).toBeInTheDocument();
    expect(screen.getByText("91.5% accuracy")).toBeInTheDocument();
    expect(screen.getByText("93.4% on dollar1")).toBeInTheDocument(); // real drawings, beside validation
    expect(await screen.findByTitle("Check mark, circle, Square")).toHaveTextContent("3 shapes");
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));
    expect(await screen.findByRole("meter", { name: "Confidence in Check mark" })).toHaveAttribute("aria-valuenow", "70");
    expect(screen.getByRole("list", { name: "All predictions" })).toHaveTextContent("Check mark70%circle30%");
  });

  it("says clearly when no model is loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => noModel()));
    render(<ImplementorPage />);
    expect(await screen.findByText("No model is loaded yet.")).toBeInTheDocument();
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10]]);
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No model is loaded to classify with.");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
