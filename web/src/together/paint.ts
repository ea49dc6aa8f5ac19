// Painting the shared drawing: each stroke in its author's ink, in the order they were started,
// with the game's own smoothing (render.ts).
import { IDENTITY, paintStrokes } from "../canvas/render";
import type { SharedStroke } from "./sharedDrawing";

export function paintSharedStrokes(context: CanvasRenderingContext2D, strokes: readonly SharedStroke[]): void {
  for (const stroke of strokes) paintStrokes(context, [stroke.points], IDENTITY, { color: stroke.color });
}
