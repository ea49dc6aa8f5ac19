import { useEffect, useRef } from "react";
import type { CanvasSize, Stroke } from "../api/strokes";
import { clearContext, fitTransform, lastTime, paintStrokes, prepareContext, type Transform } from "./render";

export interface StrokeThumbnailProps {
  strokes: readonly Stroke[];
  /** The canvas the strokes were drawn on; used when `fit` is "canvas". */
  canvas?: CanvasSize;
  /** Displayed size in CSS pixels (square). */
  size?: number;
  /** "bounds" zooms to the drawing (as the model sees it); "canvas" keeps it where it was drawn. */
  fit?: "bounds" | "canvas";
  /** Replay the drawing at its recorded speed (times `speed`). */
  replay?: boolean;
  speed?: number;
  /** A colour for each stroke, by index (who drew it); keep the array stable across renders. */
  strokeColors?: readonly (string | undefined)[];
  label?: string;
  className?: string;
}

/** A small rendering of strokes, for lists, previews and replays. */
export function StrokeThumbnail({
  strokes,
  canvas,
  size = 96,
  fit = "bounds",
  replay = false,
  speed = 1,
  strokeColors,
  label = "Drawing thumbnail",
  className,
}: StrokeThumbnailProps) {
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const box = { width: size, height: size };
    const context = prepareContext(element, box);
    if (!context) return;
    const at: Transform =
      fit === "canvas" && canvas
        ? { scale: size / Math.max(canvas.width, canvas.height), offsetX: 0, offsetY: 0 }
        : fitTransform(strokes, box);
    const lineWidth = Math.max(1.5, size / 48) / at.scale;
    const draw = (untilT?: number) => {
      clearContext(context, box);
      paintStrokes(context, strokes, at, { lineWidth, untilT, strokeColors });
    };
    const end = lastTime(strokes);
    if (!replay || end === 0 || typeof requestAnimationFrame !== "function") {
      draw();
      return;
    }
    let handle = 0;
    const started = performance.now();
    const tick = (now: number) => {
      const t = (now - started) * speed;
      draw(t);
      if (t < end) handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(handle);
  }, [strokes, canvas, size, fit, replay, speed, strokeColors]);

  return (
    <canvas
      ref={ref}
      className={["stroke-thumbnail", className ?? ""].filter(Boolean).join(" ")}
      style={{ width: size, height: size }}
      role="img"
      aria-label={label}
    />
  );
}
