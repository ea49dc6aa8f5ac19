import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Classification } from "../api/inference";
import type { StrokeData } from "../api/strokes";
import { PredictionDisplay } from "./PredictionDisplay";

const classification: Classification = {
  shape: "circle",
  confidence: 0.874,
  allPredictions: [
    { shape: "square", confidence: 0.021 },
    { shape: "circle", confidence: 0.874 },
    { shape: "triangle", confidence: 0.105 },
  ],
  inferenceTimeMs: 2.345,
  modelVersion: 4,
};

const strokeData: StrokeData = {
  canvas: { width: 400, height: 400 },
  strokes: [[[100, 100, 0], [300, 100, 20], [300, 300, 40]]],
  duration_ms: 40,
  device: "mouse",
};

describe("PredictionDisplay", () => {
  it("shows the best guess with its confidence bar", () => {
    render(<PredictionDisplay classification={classification} strokeData={strokeData} />);
    const bar = screen.getByRole("meter", { name: "Confidence in circle" });
    expect(bar).toHaveAttribute("aria-valuenow", "87.4");
    expect(screen.getByRole("region", { name: "Prediction" })).toHaveTextContent("circle87.4%");
  });

  it("lists every prediction, most confident first, each with a bar", () => {
    render(<PredictionDisplay classification={classification} strokeData={strokeData} />);
    const rows = within(screen.getByRole("list", { name: "All predictions" })).getAllByRole("listitem");
    expect(rows.map((row) => row.textContent)).toEqual(["circle87.4%", "triangle10.5%", "square2.1%"]);
    expect(within(rows[2]).getByRole("meter", { name: "square" })).toHaveAttribute("aria-valuenow", "2.1");
  });

  it("shows the shapes' names where known, and the id of a shape it does not know", () => {
    const names = new Map([["circle", "Circle"], ["triangle", "Triangle"]]);
    render(<PredictionDisplay classification={classification} strokeData={strokeData} names={names} />);
    expect(screen.getByRole("meter", { name: "Confidence in Circle" })).toHaveAttribute("aria-valuenow", "87.4");
    const rows = within(screen.getByRole("list", { name: "All predictions" })).getAllByRole("listitem");
    expect(rows.map((row) => row.textContent)).toEqual(["Circle87.4%", "Triangle10.5%", "square2.1%"]);
  });

  it("shows a thumbnail of the strokes, the inference time and the model version", () => {
    render(<PredictionDisplay classification={classification} strokeData={strokeData} />);
    expect(screen.getByRole("img", { name: "Classified drawing" })).toBeInTheDocument();
    expect(screen.getByText(/2\.3 ms/)).toHaveTextContent("model v4");
  });
});
