import { fireEvent, render, screen } from "@testing-library/react";
import { useRef } from "react";
import { describe, expect, it, vi } from "vitest";
import { usePaintScheduler } from "./usePaintScheduler";
import { usePointerStrokes, type PointerPoint } from "./usePointerStrokes";

type Call = ["begin", number[]] | ["extend", number[][]] | ["end"];

function renderStrokes({ disabled = false } = {}) {
  const calls: Call[] = [];
  const xy = ({ x, y }: PointerPoint) => [x, y];
  function Harness() {
    const pointer = usePointerStrokes({
      size: { width: 400, height: 200 },
      disabled,
      onBegin: (point) => calls.push(["begin", xy(point)]),
      onExtend: (points) => calls.push(["extend", points.map(xy)]),
      onEnd: () => calls.push(["end"]),
    });
    return <canvas aria-label="Drawing canvas" {...pointer} />;
  }
  render(<Harness />);
  const canvas = screen.getByLabelText("Drawing canvas");
  // Laid out at 200×100 CSS px from (10, 20): each CSS pixel is two drawing pixels.
  canvas.getBoundingClientRect = () => ({ left: 10, top: 20, width: 200, height: 100, right: 210, bottom: 120, x: 10, y: 20, toJSON: () => ({}) });
  return { canvas, calls };
}

const at = (clientX: number, clientY: number, more: Partial<PointerEventInit> = {}) => ({
  clientX,
  clientY,
  pointerId: 1,
  pointerType: "mouse",
  button: 0,
  ...more,
});

describe("usePointerStrokes", () => {
  it("maps a stroke onto the logical canvas and ends it when the pointer goes up", () => {
    const { canvas, calls } = renderStrokes();
    fireEvent.pointerDown(canvas, at(10, 20));
    fireEvent.pointerMove(canvas, at(60, 70));
    fireEvent.pointerUp(canvas, at(60, 70));
    expect(calls).toEqual([["begin", [0, 0]], ["extend", [[100, 100]]], ["end"]]);
  });

  it("draws with a mouse's main button only", () => {
    const { canvas, calls } = renderStrokes();
    fireEvent.pointerDown(canvas, at(10, 20, { button: 2 }));
    fireEvent.pointerMove(canvas, at(60, 70, { button: 2 }));
    fireEvent.pointerUp(canvas, at(60, 70, { button: 2 }));
    expect(calls).toEqual([]);
  });

  it("starts nothing while disabled", () => {
    const { canvas, calls } = renderStrokes({ disabled: true });
    fireEvent.pointerDown(canvas, at(10, 20, { pointerType: "touch" }));
    fireEvent.pointerMove(canvas, at(60, 70, { pointerType: "touch" }));
    fireEvent.pointerUp(canvas, at(60, 70, { pointerType: "touch" }));
    expect(calls).toEqual([]);
  });

  it("ends the stroke on a cancel or a lost capture, and ignores other pointers meanwhile", () => {
    const { canvas, calls } = renderStrokes();
    fireEvent.pointerDown(canvas, at(10, 20, { pointerType: "touch" }));
    fireEvent.pointerDown(canvas, at(50, 50, { pointerType: "touch", pointerId: 2 }));
    fireEvent.pointerCancel(canvas, at(50, 50, { pointerType: "touch", pointerId: 2 }));
    fireEvent.pointerCancel(canvas, at(10, 20, { pointerType: "touch" }));
    fireEvent.pointerDown(canvas, at(20, 20, { pointerType: "pen", pointerId: 3 }));
    fireEvent.lostPointerCapture(canvas, at(20, 20, { pointerType: "pen", pointerId: 3 }));
    fireEvent.pointerMove(canvas, at(30, 20, { pointerType: "pen", pointerId: 3 }));
    expect(calls).toEqual([["begin", [0, 0]], ["end"], ["begin", [20, 0]], ["end"]]);
  });

  it("passes every coalesced sample of a move, oldest first", () => {
    const { canvas, calls } = renderStrokes();
    fireEvent.pointerDown(canvas, at(10, 20));
    const move = new PointerEvent("pointermove", { ...at(40, 20), bubbles: true });
    const samples = [15, 40].map((x) => new PointerEvent("pointermove", at(x, 20)));
    Object.defineProperty(move, "getCoalescedEvents", { value: () => samples });
    fireEvent(canvas, move);
    expect(calls[1]).toEqual(["extend", [[10, 0], [60, 0]]]);
  });
});

describe("usePaintScheduler", () => {
  function renderScheduler() {
    const paint = vi.fn();
    const seen: { schedule: () => void } = { schedule: () => {} };
    function Harness() {
      const canvasRef = useRef<HTMLCanvasElement>(null);
      seen.schedule = usePaintScheduler(canvasRef, paint);
      return <canvas ref={canvasRef} />;
    }
    const view = render(<Harness />);
    return { paint, schedule: () => seen.schedule(), unmount: view.unmount };
  }

  it("paints once a frame however often it is asked", () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => frames.push(callback));
    vi.stubGlobal("cancelAnimationFrame", vi.fn());
    const { paint, schedule } = renderScheduler();
    schedule();
    schedule();
    expect(frames).toHaveLength(1);
    frames[0](0);
    expect(paint).toHaveBeenCalledTimes(1);
    schedule();
    expect(frames).toHaveLength(2);
  });

  it("drops a pending frame when the component goes", () => {
    const cancel = vi.fn();
    vi.stubGlobal("requestAnimationFrame", () => 7);
    vi.stubGlobal("cancelAnimationFrame", cancel);
    const { schedule, unmount } = renderScheduler();
    schedule();
    unmount();
    expect(cancel).toHaveBeenCalledWith(7);
  });
});
