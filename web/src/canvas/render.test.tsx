import { render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Stroke } from "../api/strokes";
import { INK, paintStrokes } from "./render";
import { StrokeThumbnail } from "./StrokeThumbnail";

/** A 2D context that records the colour of each line it strokes, and, like a real one,
 * ignores a colour it cannot read. */
function recordingContext() {
  const inked: string[] = [];
  let style = "#000000";
  const context = {
    get strokeStyle() {
      return style;
    },
    set strokeStyle(value: string) {
      if (/^#[0-9a-f]{6}$/i.test(value)) style = value;
    },
    lineWidth: 1,
    lineCap: "butt",
    lineJoin: "miter",
    setTransform: vi.fn(),
    clearRect: vi.fn(),
    beginPath: vi.fn(),
    moveTo: vi.fn(),
    lineTo: vi.fn(),
    quadraticCurveTo: vi.fn(),
    stroke: vi.fn(() => inked.push(style)),
  };
  return { context: context as unknown as CanvasRenderingContext2D, inked };
}

const line = (x: number, t = 0): Stroke => [
  [x, 0, t],
  [x, 10, t + 5],
];
const STROKES = [line(0), line(10), line(20), line(30)];

describe("paintStrokes", () => {
  it("paints every stroke in the one ink when no stroke has its own colour", () => {
    const { context, inked } = recordingContext();
    paintStrokes(context, STROKES);
    expect(inked).toEqual([INK, INK, INK, INK]);
  });

  it("paints each stroke in its own colour, and in the ink where it has none or an unreadable one", () => {
    const { context, inked } = recordingContext();
    paintStrokes(context, STROKES, undefined, { strokeColors: ["#e11d48", "#2563eb", undefined, "not a colour"] });
    expect(inked).toEqual(["#e11d48", "#2563eb", INK, INK]);
  });
});

describe("StrokeThumbnail", () => {
  it("hands each stroke's colour to the painter", () => {
    const { context, inked } = recordingContext();
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(context);
    render(<StrokeThumbnail strokes={STROKES.slice(0, 2)} strokeColors={["#e11d48", "#2563eb"]} />);
    expect(inked).toEqual(["#e11d48", "#2563eb"]);
  });
});
