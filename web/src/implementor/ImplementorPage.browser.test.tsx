import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { FakeClassifier, guessOf } from "../inference/fake";
import { drawStroke } from "../test/pointer";
import ImplementorPage from "./ImplementorPage";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function stubApi() {
  const fetchMock = vi.fn(async (url: string) =>
    url === "/api/shapes"
      ? json(200, [{ id: "circle", name: "Circle", closed: true }, { id: "square", name: "Square", closed: true }])
      : url === "/api/inference/model/info"
        ? json(200, { id: "m", version: 3, accuracy: 0.9, loadedAt: "2025-01-01T00:00:00Z", classes: ["circle", "square"] })
        : json(500, { error: "UNEXPECTED", message: `unexpected request to ${url}`, requestId: "r" }),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("ImplementorPage, run in the browser", () => {
  it("classifies with the in-browser model and asks the server nothing", async () => {
    const fetchMock = stubApi();
    const model = new FakeClassifier([guessOf("circle", 0.81)]);
    const open = vi.fn(async () => model);
    render(<ImplementorPage openClassifier={open} />);
    expect(await screen.findByText("Model v3")).toBeInTheDocument();
    expect(open).not.toHaveBeenCalled(); // nothing heavy loads until it is switched on

    await userEvent.click(screen.getByRole("switch", { name: "Run in the browser" }));
    expect(await screen.findByRole("status", { name: "Browser model" })).toHaveTextContent("Model v3 runs in your browser");
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));

    const prediction = await screen.findByRole("region", { name: "Prediction" });
    expect(screen.getByRole("meter", { name: "Confidence in Circle" })).toHaveAttribute("aria-valuenow", "81");
    expect(prediction).toHaveTextContent("0.8 ms in your browser · model v3");
    expect(model.asked).toHaveLength(1);
    expect(model.asked[0][0].slice(0, 1)).toEqual([[10, 10, expect.any(Number)]]);
    const urls = fetchMock.mock.calls.map(([url]) => url);
    expect(urls).not.toContain("/api/inference/classify");
  });

  it("asks the server again once switched off", async () => {
    const fetchMock = stubApi();
    fetchMock.mockImplementation(async (url: string) =>
      url === "/api/inference/classify"
        ? json(200, { shape: "square", confidence: 0.6, allPredictions: [{ shape: "square", confidence: 0.6 }], inferenceTimeMs: 2, modelVersion: 3 })
        : url === "/api/inference/model/info"
          ? json(200, { id: "m", version: 3, accuracy: 0.9, loadedAt: "2025-01-01T00:00:00Z", classes: ["circle", "square"] })
          : json(200, []),
    );
    const model = new FakeClassifier([guessOf("circle", 0.81)]);
    render(<ImplementorPage openClassifier={async () => model} />);
    const toggle = await screen.findByRole("switch", { name: "Run in the browser" });
    await userEvent.click(toggle);
    await userEvent.click(toggle);
    expect(toggle).not.toBeChecked();
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));
    expect(await screen.findByRole("region", { name: "Prediction" })).toHaveTextContent("2.0 ms on the server");
    await waitFor(() => expect(fetchMock.mock.calls.map(([url]) => url)).toContain("/api/inference/classify"));
    expect(model.asked).toHaveLength(0);
  });

  it("shows how to run the model with onnxruntime-web", async () => {
    stubApi();
    render(<ImplementorPage openClassifier={async () => new FakeClassifier([])} />);
    await userEvent.click(screen.getByText("Call it yourself"));
    expect(screen.getByText(/import \* as ort from "onnxruntime-web"/)).toBeInTheDocument();
    expect(screen.getByText(/InferenceSession\.create/)).toBeInTheDocument();
  });
});
