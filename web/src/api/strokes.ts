// The one stroke wire format (DESIGN.md "Stroke data"), shared by collection and inference.

/** [x, y, t]: canvas pixels, and ms since the drawing's first point. */
export type Point = [number, number, number];
export type Stroke = Point[];
export type Device = "mouse" | "touch" | "pen";

export interface CanvasSize {
  width: number;
  height: number;
}

export interface StrokeData {
  canvas: CanvasSize;
  strokes: Stroke[];
  duration_ms: number;
  device: Device;
}
