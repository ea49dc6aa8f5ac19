import { describe, expect, it } from "vitest";
import vectorsJson from "../../../tests/vectors/pen_path.json?raw";
import { DEFAULT_PATH_SPEC, penPath, type PathSpec } from "./penPath";
import type { RasterStrokes } from "./raster";

interface Vector {
  name: string;
  strokes: RasterStrokes;
  expected: number[][];
}

// The vectors crowdsketch/pen_path.py wrote (tests/vectors/make_pen_path_vectors.py).
const { spec, tolerance, vectors } = JSON.parse(vectorsJson) as { spec: PathSpec; tolerance: number; vectors: Vector[] };

const row = (path: Float32Array, r: number, points: number) => Array.from(path.subarray(r * points, (r + 1) * points));

describe("penPath, against crowdsketch/pen_path.py", () => {
  it("has vectors to check, for the default spec", () => {
    expect(vectors.length).toBeGreaterThan(0);
    expect(spec).toEqual(DEFAULT_PATH_SPEC);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))("%s matches every value", (_, vector) => {
    const path = penPath(vector.strokes, spec);
    expect(path).toHaveLength(5 * spec.points);
    const worst = { error: 0, at: -1 };
    vector.expected.flat().forEach((want, i) => {
      const error = Math.abs(path[i] - want);
      if (!(error <= worst.error)) Object.assign(worst, { error, at: i });
    });
    expect(worst.error, `value ${worst.at} (row ${Math.floor(worst.at / spec.points)})`).toBeLessThanOrEqual(tolerance);
  });
});

describe("penPath, extremes", () => {
  const small: PathSpec = { points: 4, max_points: 16 };

  it("samples a straight line evenly, with its direction and one new stroke", () => {
    const path = penPath([[[0, 0, 0], [8, 0, 5]]], small);
    expect(row(path, 0, 4)).toEqual([-0.75, -0.25, 0.25, 0.75]);
    expect(row(path, 1, 4)).toEqual([0, 0, 0, 0]);
    expect(row(path, 2, 4)).toEqual([1, 1, 1, 1]);
    expect(row(path, 4, 4)).toEqual([1, 0, 0, 0]);
  });

  it("ignores the time of each point", () => {
    const strokes = [[[3, 4, 0], [50, 9, 10], [20, 70, 20]], [[0, 0, 100], [9, 9, 110]]];
    const slower = strokes.map((stroke) => stroke.map(([x, y, t]) => [x, y, t * 7 + 1000]));
    expect(penPath(slower, small)).toEqual(penPath(strokes, small));
  });

  it("gives a dot only the first flag, and the float limit no NaN", () => {
    expect(Array.from(penPath([[[5, 5]]], small))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    for (const strokes of [[[[-Number.MAX_VALUE, 0], [Number.MAX_VALUE, 0]]], [[[1e308, 0], [1.7e308, 3]]], [[[0, 0], [5e-324, 0]]]]) {
      expect(penPath(strokes, small).every(Number.isFinite)).toBe(true);
    }
  });

  it("refuses an empty drawing", () => {
    expect(() => penPath([], small)).toThrow();
    expect(() => penPath([[]], small)).toThrow();
  });
});
