import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LineChart } from "./LineChart";
import { axisLabels, integerTicks, ticks } from "./scale";

describe("integerTicks", () => {
  it("labels every epoch when there are few", () => {
    expect(integerTicks(1, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(integerTicks(1, 2)).toEqual([1, 2]);
    expect(integerTicks(1, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("steps by a round number, evenly, when there are many", () => {
    expect(integerTicks(1, 20)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(integerTicks(1, 23)).toEqual([5, 10, 15, 20]);
    expect(integerTicks(1, 60)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(integerTicks(1, 250)).toEqual([50, 100, 150, 200, 250]);
    expect(integerTicks(1, 8, 4)).toEqual([2, 4, 6, 8]);
  });
});

describe("axisLabels", () => {
  it("writes every tick of an axis with the same decimals", () => {
    expect(axisLabels(ticks(1))).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    expect(axisLabels(ticks(2.5))).toEqual(["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]);
    expect(axisLabels([0, 0.25, 0.5, 0.75, 1])).toEqual(["0.00", "0.25", "0.50", "0.75", "1.00"]);
    expect(axisLabels(ticks(50))).toEqual(["0", "10", "20", "30", "40", "50"]);
  });

  it("writes large counts in thousands", () => {
    expect(axisLabels([0, 5000, 10_000, 15_000, 20_000])).toEqual(["0", "5k", "10k", "15k", "20k"]);
    expect(axisLabels([0, 12_500, 25_000])).toEqual(["0.0", "12.5k", "25.0k"]);
  });
});

describe("LineChart", () => {
  const epochs = Array.from({ length: 8 }, (_, i) => ({ x: i + 1, y: 0.9 / (i + 1) }));

  it("labels each of a few epochs and writes the loss axis with one number of decimals", () => {
    render(<LineChart title="Loss per epoch" xLabel="epoch" series={[{ name: "Training loss", points: epochs }]} />);
    const labels = within(screen.getByRole("img", { name: "Loss per epoch" }))
      .getAllByText(/^[\d.]+$/)
      .map((label) => label.textContent);
    expect(labels).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1", "2", "3", "4", "5", "6", "7", "8"]);
  });
});
