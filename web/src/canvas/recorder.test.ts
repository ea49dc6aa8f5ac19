import { describe, expect, it } from "vitest";
import { StrokeRecorder } from "./recorder";

const canvas = { width: 400, height: 400 };

describe("StrokeRecorder", () => {
  it("times every point from the drawing's first point, across strokes", () => {
    const recorder = new StrokeRecorder();
    recorder.begin({ x: 1, y: 1, time: 1000 }, "mouse");
    recorder.extend([{ x: 2, y: 2, time: 1016.4 }, { x: 3, y: 3, time: 1033 }]);
    recorder.end();
    recorder.begin({ x: 5, y: 5, time: 1500 }, "mouse");
    recorder.end();
    const data = recorder.toStrokeData(canvas)!;
    expect(data.strokes).toEqual([[[1, 1, 0], [2, 2, 16], [3, 3, 33]], [[5, 5, 500]]]);
    expect(data.duration_ms).toBe(500);
  });

  it("never lets t go back within a stroke", () => {
    const recorder = new StrokeRecorder();
    recorder.begin({ x: 0, y: 0, time: 100 }, "pen");
    recorder.extend([{ x: 1, y: 0, time: 120 }, { x: 2, y: 0, time: 110 }]);
    recorder.end();
    expect(recorder.toStrokeData(canvas)!.strokes[0].map(([, , t]) => t)).toEqual([0, 20, 20]);
  });

  it("undoes the last stroke and starts the clock again once empty", () => {
    const recorder = new StrokeRecorder();
    recorder.begin({ x: 0, y: 0, time: 100 }, "touch");
    recorder.end();
    recorder.begin({ x: 9, y: 9, time: 300 }, "touch");
    recorder.end();
    recorder.undo();
    expect(recorder.toStrokeData(canvas)!.strokes).toEqual([[[0, 0, 0]]]);
    recorder.undo();
    expect(recorder.isEmpty).toBe(true);
    expect(recorder.toStrokeData(canvas)).toBeNull();
    recorder.begin({ x: 4, y: 4, time: 900 }, "mouse");
    recorder.end();
    expect(recorder.toStrokeData(canvas)).toMatchObject({ strokes: [[[4, 4, 0]]], device: "mouse" });
  });

  it("clears everything", () => {
    const recorder = new StrokeRecorder();
    recorder.begin({ x: 0, y: 0, time: 0 }, "mouse");
    recorder.extend([{ x: 5, y: 5, time: 10 }]);
    recorder.clear();
    expect(recorder.isEmpty).toBe(true);
    expect(recorder.isDrawing).toBe(false);
  });
});
