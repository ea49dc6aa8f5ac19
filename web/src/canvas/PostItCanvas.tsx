import { useCallback, useEffect, useRef, type PointerEvent as ReactPointerEvent } from "react";
import { clearContext, paintStrokes, prepareContext } from "./render";
import { deviceFromPointerType, type RawSample } from "./recorder";
import type { StrokeCapture } from "./useStrokeCapture";

export interface PostItCanvasProps {
  capture: StrokeCapture;
  disabled?: boolean;
  /** Visible hint while the note is empty, e.g. "Draw a circle". */
  placeholder?: string;
  className?: string;
}

type Box = Pick<DOMRect, "left" | "top" | "width" | "height">;

function sampleAt(event: PointerEvent, box: Box, logicalWidth: number, logicalHeight: number): RawSample {
  // A box of size 0 (no layout, e.g. in tests) maps CSS pixels 1:1.
  const scaleX = box.width > 0 ? logicalWidth / box.width : 1;
  const scaleY = box.height > 0 ? logicalHeight / box.height : 1;
  return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY, time: event.timeStamp };
}

function coalesced(event: PointerEvent): PointerEvent[] {
  const samples = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
  return samples.length > 0 ? samples : [event];
}

/** A sticky note to draw on with mouse, finger or pen; points go to `capture`. */
export function PostItCanvas({ capture, disabled = false, placeholder, className }: PostItCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const activePointer = useRef<number | null>(null);
  const box = useRef<Box>({ left: 0, top: 0, width: 0, height: 0 });
  const frame = useRef<number | null>(null);
  const { canvas: logical, recorder } = capture;

  const paint = useCallback(() => {
    frame.current = null;
    const element = canvasRef.current;
    if (!element) return;
    const context = prepareContext(element, logical);
    if (!context) return;
    clearContext(context, logical);
    paintStrokes(context, recorder.strokes);
  }, [logical, recorder]);

  const schedulePaint = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = typeof requestAnimationFrame === "function" ? requestAnimationFrame(paint) : null;
    if (frame.current === null) paint();
  }, [paint]);

  // Repaint when strokes change (undo, clear, a new drawing) and when the element resizes.
  useEffect(() => paint(), [paint, capture.strokes]);
  useEffect(() => {
    const element = canvasRef.current;
    if (!element || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(() => paint());
    observer.observe(element);
    return () => observer.disconnect();
  }, [paint]);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (disabled || activePointer.current !== null) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    const element = event.currentTarget;
    element.setPointerCapture?.(event.pointerId);
    activePointer.current = event.pointerId;
    box.current = element.getBoundingClientRect();
    capture.begin(sampleAt(event.nativeEvent, box.current, logical.width, logical.height), deviceFromPointerType(event.pointerType));
    schedulePaint();
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    event.preventDefault();
    capture.extend(coalesced(event.nativeEvent).map((e) => sampleAt(e, box.current, logical.width, logical.height)));
    schedulePaint();
  };

  const finish = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    activePointer.current = null;
    if (event.currentTarget.hasPointerCapture?.(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    capture.end();
  };

  const classes = ["postit", disabled ? "postit--disabled" : "", className ?? ""].filter(Boolean).join(" ");
  return (
    <div className={classes}>
      <canvas
        ref={canvasRef}
        className="postit__canvas"
        aria-label="Drawing canvas"
        role="img"
        data-strokes={capture.strokes.length}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finish}
        onPointerCancel={finish}
        onLostPointerCapture={finish}
        onContextMenu={(event) => event.preventDefault()}
      />
      {placeholder && capture.isEmpty && !recorder.isDrawing && (
        <p className="postit__placeholder" aria-hidden="true">
          {placeholder}
        </p>
      )}
    </div>
  );
}
