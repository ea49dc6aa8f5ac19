import { useCallback, useEffect, useRef } from "react";
import { clearContext, paintStrokes, prepareContext } from "./render";
import { deviceFromPointerType, type RawSample } from "./recorder";
import { usePaintScheduler } from "./usePaintScheduler";
import { usePointerStrokes, type PointerPoint } from "./usePointerStrokes";
import type { StrokeCapture } from "./useStrokeCapture";

export interface PostItCanvasProps {
  capture: StrokeCapture;
  disabled?: boolean;
  /** Visible hint while the note is empty, e.g. "Draw a circle". */
  placeholder?: string;
  className?: string;
}

const sampleOf = ({ x, y, event }: PointerPoint): RawSample => ({ x, y, time: event.timeStamp });

/** A sticky note to draw on with mouse, finger or pen; points go to `capture`. */
export function PostItCanvas({ capture, disabled = false, placeholder, className }: PostItCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { canvas: logical, recorder } = capture;

  const paint = useCallback(() => {
    const element = canvasRef.current;
    if (!element) return;
    const context = prepareContext(element, logical);
    if (!context) return;
    clearContext(context, logical);
    paintStrokes(context, recorder.strokes);
  }, [logical, recorder]);
  const schedulePaint = usePaintScheduler(canvasRef, paint);

  // Repaint when strokes change (undo, clear, a new drawing).
  useEffect(() => paint(), [paint, capture.strokes]);

  const pointer = usePointerStrokes({
    size: logical,
    disabled,
    onBegin: (point) => {
      capture.begin(sampleOf(point), deviceFromPointerType(point.event.pointerType));
      schedulePaint();
    },
    onExtend: (points) => {
      capture.extend(points.map(sampleOf));
      schedulePaint();
    },
    onEnd: capture.end,
  });

  const classes = ["postit", disabled ? "postit--disabled" : "", className ?? ""].filter(Boolean).join(" ");
  return (
    <div className={classes}>
      <canvas
        ref={canvasRef}
        className="postit__canvas"
        aria-label="Drawing canvas"
        role="img"
        data-strokes={capture.strokes.length}
        {...pointer}
      />
      {placeholder && capture.isEmpty && !recorder.isDrawing && (
        <p className="postit__placeholder" aria-hidden="true">
          {placeholder}
        </p>
      )}
    </div>
  );
}
