import { describe, expect, it } from "vitest";
import { CATALOGUE, shape } from "./fixtures";
import { inOrder, movePlan } from "./shapeOrder";

describe("movePlan", () => {
  it("swaps the positions of two neighbours, the moved shape first", () => {
    expect(inOrder(CATALOGUE).map((s) => s.id)).toEqual(["circle", "square", "zigzag"]);
    expect(movePlan(CATALOGUE, "square", "up")).toEqual([{ id: "square", position: 0 }, { id: "circle", position: 1 }]);
    expect(movePlan(CATALOGUE, "square", "down")).toEqual([{ id: "square", position: 2 }, { id: "zigzag", position: 1 }]);
  });

  it("keeps gaps between positions", () => {
    const spaced = [shape("a", "A", 10), shape("b", "B", 20), shape("c", "C", 35)];
    expect(movePlan(spaced, "c", "up")).toEqual([{ id: "c", position: 20 }, { id: "b", position: 35 }]);
  });

  it("renumbers every shape when positions are tied", () => {
    const tied = [shape("a", "A", 0), shape("b", "B", 1), shape("c", "C", 1)];
    expect(movePlan(tied, "a", "down")).toEqual([{ id: "a", position: 1 }, { id: "b", position: 0 }, { id: "c", position: 2 }]);
  });

  it("plans nothing at either end or for an unknown shape", () => {
    expect(movePlan(CATALOGUE, "circle", "up")).toEqual([]);
    expect(movePlan(CATALOGUE, "zigzag", "down")).toEqual([]);
    expect(movePlan(CATALOGUE, "star", "up")).toEqual([]);
  });
});
