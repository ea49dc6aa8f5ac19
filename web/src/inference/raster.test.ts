import { describe, expect, it } from "vitest";
import vectorsJson from "../../../tests/vectors/raster.json?raw";
import { decimate, rasterize, type RasterSpec, type RasterStrokes } from "./raster";

interface Vector {
  name: string;
  strokes: RasterStrokes;
  expected: number[][];
}

// The vectors crowdsketch/raster.py wrote (tests/vectors/make_raster_vectors.py).
const { spec, tolerance, vectors } = JSON.parse(vectorsJson) as { spec: RasterSpec; tolerance: number; vectors: Vector[] };

describe("rasterize, against crowdsketch/raster.py", () => {
  it("has vectors to check", () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))("%s matches every pixel", (_, vector) => {
    const raster = rasterize(vector.strokes, spec);
    expect(raster).toHaveLength(spec.size * spec.size);
    const worst = { error: 0, at: -1 };
    vector.expected.flat().forEach((want, i) => {
      const error = Math.abs(raster[i] - want);
      if (error > worst.error) Object.assign(worst, { error, at: i });
    });
    expect(worst.error, `pixel ${worst.at}`).toBeLessThanOrEqual(tolerance);
  });
});

describe("decimate", () => {
  it("keeps each stroke's ends when there are more strokes than the budget allows", () => {
    const strokes = Array.from({ length: 40 }, (_, i) => [[i, 0], [i, 1], [i, 2], [i, 3]]);
    const kept = decimate(strokes, 64);
    expect(kept.every((stroke) => stroke.length === 2)).toBe(true);
    expect(kept[5]).toEqual([[5, 0], [5, 3]]);
  });

  it("keeps every k-th point and the last for the smallest k within the budget", () => {
    const stroke = Array.from({ length: 10 }, (_, i) => [i, i]);
    expect(decimate([stroke], 5).map((s) => s.map(([x]) => x))).toEqual([[0, 3, 6, 9]]);
    expect(decimate([[[1, 2]]], 5)).toEqual([[[1, 2]]]);
  });
});

describe("rasterize, extremes", () => {
  it("puts a dot in the middle", () => {
    const raster = rasterize([[[5, 5]]], spec);
    expect(raster[16 * spec.size + 16]).toBeGreaterThan(0.5);
  });

  it("survives coordinates whose extent overflows a double", () => {
    const raster = rasterize([[[-1.7e308, 0], [1.7e308, 0]]], spec);
    expect(raster.some((v) => v > 0)).toBe(true);
    expect(raster.every(Number.isFinite)).toBe(true);
  });

  it("refuses an empty drawing", () => {
    expect(() => rasterize([], spec)).toThrow();
    expect(() => rasterize([[]], spec)).toThrow();
  });
});
