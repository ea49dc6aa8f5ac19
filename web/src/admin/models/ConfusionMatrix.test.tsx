import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ConfusionMatrix } from "./ConfusionMatrix";

describe("ConfusionMatrix", () => {
  it("draws a cell per true/predicted pair, each telling its count", () => {
    const classes = ["circle", "square", "star"];
    const matrix = [
      [9, 1, 0],
      [2, 8, 0],
      [0, 0, 10],
    ];
    render(<ConfusionMatrix classes={classes} matrix={matrix} />);

    expect(screen.getByRole("img", { name: "Confusion matrix of 3 shapes" })).toBeInTheDocument();
    const cells = screen.getAllByTestId("confusion-cell");
    expect(cells).toHaveLength(9);
    expect(cells.map((cell) => Number(cell.dataset.count))).toEqual(matrix.flat());
    expect(cells[3]).toHaveTextContent("2");
    expect(cells[3].querySelector("title")).toHaveTextContent("square drawn, circle predicted: 2");
  });

  it("shades a right answer darker the larger its share of the row", () => {
    render(<ConfusionMatrix classes={["a1", "b1"]} matrix={[[10, 0], [5, 5]]} />);
    const fill = (i: number) => screen.getAllByTestId("confusion-cell")[i].querySelector("rect")!.getAttribute("fill")!;
    const lightness = (color: string) => Number(/(\d+)%\)$/.exec(color)![1]);
    expect(lightness(fill(0))).toBeLessThan(lightness(fill(3)));
    expect(fill(1)).toBe("#f4f4f1");
  });
});
