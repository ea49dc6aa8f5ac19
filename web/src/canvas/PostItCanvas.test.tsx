import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PostItCanvas } from "./PostItCanvas";
import { useStrokeCapture, type StrokeCapture } from "./useStrokeCapture";

function renderCanvas() {
  const seen: { capture: StrokeCapture | null } = { capture: null };
  function Harness() {
    const capture = useStrokeCapture({ width: 400, height: 400 });
    seen.capture = capture;
    return <PostItCanvas capture={capture} />;
  }
  render(<Harness />);
  const canvas = screen.getByLabelText("Drawing canvas") as HTMLCanvasElement;
  // Laid out at 200×200 CSS px from (10, 20): each CSS pixel is two drawing pixels.
  canvas.getBoundingClientRect = () => ({ left: 10, top: 20, width: 200, height: 200, right: 210, bottom: 220, x: 10, y: 20, toJSON: () => ({}) });
  return { canvas, current: () => seen.capture! };
}

const at = (clientX: number, clientY: number, pointerType = "mouse") => ({ clientX, clientY, pointerId: 1, pointerType, button: 0 });

describe("PostItCanvas stroke capture", () => {
  it("records the points of a stroke in drawing coordinates", () => {
    const { canvas, current } = renderCanvas();
    fireEvent.pointerDown(canvas, at(10, 20));
    fireEvent.pointerMove(canvas, at(60, 20));
    fireEvent.pointerMove(canvas, at(60, 70));
    fireEvent.pointerUp(canvas, at(60, 70));

    const data = current().toStrokeData()!;
    expect(data.strokes).toHaveLength(1);
    expect(data.strokes[0].map(([x, y]) => [x, y])).toEqual([[0, 0], [100, 0], [100, 100]]);
    expect(data.strokes[0][0][2]).toBe(0);
    const times = data.strokes[0].map(([, , t]) => t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(data.canvas).toEqual({ width: 400, height: 400 });
    expect(data.device).toBe("mouse");
    expect(data.duration_ms).toBe(times[times.length - 1]);
  });

  it("records the device from the pointer type", () => {
    const { canvas, current } = renderCanvas();
    fireEvent.pointerDown(canvas, at(30, 30, "pen"));
    fireEvent.pointerMove(canvas, at(40, 40, "pen"));
    fireEvent.pointerUp(canvas, at(40, 40, "pen"));
    expect(current().toStrokeData()!.device).toBe("pen");
  });

  it("keeps each stroke apart and ignores moves without a pressed pointer", () => {
    const { canvas, current } = renderCanvas();
    fireEvent.pointerMove(canvas, at(50, 50, "touch"));
    fireEvent.pointerDown(canvas, at(20, 30, "touch"));
    fireEvent.pointerMove(canvas, at(25, 30, "touch"));
    fireEvent.pointerUp(canvas, at(25, 30, "touch"));
    fireEvent.pointerMove(canvas, at(90, 90, "touch"));
    fireEvent.pointerDown(canvas, at(100, 100, "touch"));
    fireEvent.pointerUp(canvas, at(100, 100, "touch"));

    const data = current().toStrokeData()!;
    expect(data.device).toBe("touch");
    expect(data.strokes.map((stroke) => stroke.map(([x, y]) => [x, y]))).toEqual([
      [[20, 20], [30, 20]],
      [[180, 160]],
    ]);
  });

  it("ignores a second finger while one is drawing", () => {
    const { canvas, current } = renderCanvas();
    fireEvent.pointerDown(canvas, at(20, 30, "touch"));
    fireEvent.pointerDown(canvas, { ...at(100, 100, "touch"), pointerId: 2 });
    fireEvent.pointerMove(canvas, { ...at(110, 110, "touch"), pointerId: 2 });
    fireEvent.pointerMove(canvas, at(30, 30, "touch"));
    fireEvent.pointerUp(canvas, at(30, 30, "touch"));
    expect(current().toStrokeData()!.strokes).toHaveLength(1);
    expect(current().toStrokeData()!.strokes[0]).toHaveLength(2);
  });
});

describe("PostItCanvas coalesced events", () => {
  it("records every coalesced sample of a move", () => {
    const { canvas, current } = renderCanvas();
    fireEvent.pointerDown(canvas, at(10, 20));
    const move = new PointerEvent("pointermove", { ...at(40, 20), bubbles: true });
    const samples = [15, 20, 30, 40].map((x) => new PointerEvent("pointermove", at(x, 20)));
    Object.defineProperty(move, "getCoalescedEvents", { value: () => samples });
    fireEvent(canvas, move);
    fireEvent.pointerUp(canvas, at(40, 20));
    expect(current().toStrokeData()!.strokes[0].map(([x]) => x)).toEqual([0, 10, 20, 40, 60]);
  });
});
