// Painting strokes on a 2D canvas. Smoothing happens here and only here: the captured
// points stay raw, the eye sees quadratic curves through the midpoints.
import type { CanvasSize, Stroke } from "../api/strokes";

export interface Transform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface PaintOptions {
  color?: string;
  /** A colour for each stroke, by index; a stroke without one takes `color`. */
  strokeColors?: readonly (string | undefined)[];
  /** In logical (drawing) pixels; scaled with the drawing. */
  lineWidth?: number;
  /** Paint only points with t <= untilT (replay). */
  untilT?: number;
}

export const INK = "#1f2a44";
export const IDENTITY: Transform = { scale: 1, offsetX: 0, offsetY: 0 };

/**
 * Size the backing store to the element's CSS size times devicePixelRatio and map logical
 * drawing pixels onto it, so lines stay sharp on high-DPI screens. Returns null without 2D.
 */
export function prepareContext(canvas: HTMLCanvasElement, logical: CanvasSize): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth || logical.width;
  const cssHeight = canvas.clientHeight || logical.height;
  const width = Math.max(1, Math.round(cssWidth * ratio));
  const height = Math.max(1, Math.round(cssHeight * ratio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.setTransform(width / logical.width, 0, 0, height / logical.height, 0, 0);
  return context;
}

export function clearContext(context: CanvasRenderingContext2D, logical: CanvasSize): void {
  context.clearRect(0, 0, logical.width, logical.height);
}

function tracePath(context: CanvasRenderingContext2D, stroke: Stroke, at: Transform, untilT: number): void {
  const x = (i: number) => stroke[i][0] * at.scale + at.offsetX;
  const y = (i: number) => stroke[i][1] * at.scale + at.offsetY;
  let last = 0;
  while (last + 1 < stroke.length && stroke[last + 1][2] <= untilT) last += 1;
  context.beginPath();
  context.moveTo(x(0), y(0));
  if (last === 0) {
    // A dot: a zero-length line with round caps.
    context.lineTo(x(0) + 0.01, y(0));
  } else {
    for (let i = 1; i < last; i += 1) {
      context.quadraticCurveTo(x(i), y(i), (x(i) + x(i + 1)) / 2, (y(i) + y(i + 1)) / 2);
    }
    context.lineTo(x(last), y(last));
  }
  context.stroke();
}

export function paintStrokes(
  context: CanvasRenderingContext2D,
  strokes: readonly Stroke[],
  at: Transform = IDENTITY,
  options: PaintOptions = {},
): void {
  const untilT = options.untilT ?? Number.POSITIVE_INFINITY;
  const ink = options.color ?? INK;
  context.strokeStyle = ink;
  context.lineWidth = (options.lineWidth ?? 4) * at.scale;
  context.lineCap = "round";
  context.lineJoin = "round";
  strokes.forEach((stroke, i) => {
    if (stroke.length === 0 || stroke[0][2] > untilT) return;
    if (options.strokeColors) {
      // The ink first: a canvas ignores a colour it cannot read and would keep the last stroke's.
      context.strokeStyle = ink;
      const color = options.strokeColors[i];
      if (color) context.strokeStyle = color;
    }
    tracePath(context, stroke, at, untilT);
  });
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function strokeBounds(strokes: readonly Stroke[]): Bounds | null {
  let bounds: Bounds | null = null;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      if (!bounds) bounds = { minX: x, minY: y, maxX: x, maxY: y };
      else {
        bounds.minX = Math.min(bounds.minX, x);
        bounds.minY = Math.min(bounds.minY, y);
        bounds.maxX = Math.max(bounds.maxX, x);
        bounds.maxY = Math.max(bounds.maxY, y);
      }
    }
  }
  return bounds;
}

/** Fit the drawing's bounding box, centred with a margin, into a box of `size`. */
export function fitTransform(strokes: readonly Stroke[], size: CanvasSize, margin = 0.1): Transform {
  const bounds = strokeBounds(strokes);
  if (!bounds) return IDENTITY;
  const spanX = Math.max(bounds.maxX - bounds.minX, 1);
  const spanY = Math.max(bounds.maxY - bounds.minY, 1);
  const usable = 1 - 2 * margin;
  const scale = Math.min((size.width * usable) / spanX, (size.height * usable) / spanY);
  return {
    scale,
    offsetX: size.width / 2 - ((bounds.minX + bounds.maxX) / 2) * scale,
    offsetY: size.height / 2 - ((bounds.minY + bounds.maxY) / 2) * scale,
  };
}

export function lastTime(strokes: readonly Stroke[]): number {
  let t = 0;
  for (const stroke of strokes) if (stroke.length) t = Math.max(t, stroke[stroke.length - 1][2]);
  return t;
}
