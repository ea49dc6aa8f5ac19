// Strokes → the pen's path, a model's second input: a port of crowdsketch/pen_path.py, step
// for step and in the same order of IEEE double operations, so the browser feeds the model
// what the server would. tests/vectors/pen_path.json pins the two together (penPath.test.ts).
import { decimate, inkBox, type RasterStrokes } from "./raster";

/** The path spec, as the model card's `path` spells it. */
export interface PathSpec {
  points: number;
  max_points: number;
}

export const DEFAULT_PATH_SPEC: PathSpec = { points: 32, max_points: 128 };

/** Rows of the features, each `points` long, in this order. */
export const PATH_FEATURES = 5;

/** Each kept point's normalised [X, Y]: the ink's box spans [−1, 1] along its longer side (step 2). */
function normalise(kept: [number, number][][]): [number, number][][] {
  const { low, extent, halve } = inkBox(kept);
  const side = Math.max(extent[0], extent[1]);
  let scale = side > 0 ? 2 / side : 0;
  if (!Number.isFinite(scale)) scale = 0;
  const centre = [low[0] + extent[0] / 2, low[1] + extent[1] / 2];
  const place = (x: number, y: number): [number, number] => [(x - centre[0]) * scale, (y - centre[1]) * scale];
  return kept.map((stroke) => stroke.map(([x, y]) => (halve ? place(x / 2, y / 2) : place(x, y))));
}

interface Segment {
  ax: number;
  ay: number;
  dx: number;
  dy: number;
  length: number;
  /** C_j: the path's length before this segment. */
  begin: number;
  /** C_{j+1}: the path's length at its end. */
  end: number;
  stroke: number;
}

/** Consecutive points of a stroke, in drawing order, with cumulative lengths (step 3). */
function segmentsOf(strokes: [number, number][][]): Segment[] {
  const segments: Segment[] = [];
  let total = 0;
  strokes.forEach((stroke, s) => {
    for (let i = 0; i + 1 < stroke.length; i++) {
      const [ax, ay] = stroke[i];
      const dx = stroke[i + 1][0] - ax;
      const dy = stroke[i + 1][1] - ay;
      const length = Math.sqrt(dx * dx + dy * dy);
      const begin = total;
      total = begin + length;
      segments.push({ ax, ay, dx, dy, length, begin, end: total, stroke: s });
    }
  });
  return segments;
}

const clamp = (value: number, low: number, high: number) => (value < low ? low : value > high ? high : value);

/** One drawing's path as float32, row-major (5, points): X, Y, direction x, direction y, new-stroke flag. */
export function penPath(strokes: RasterStrokes, spec: PathSpec = DEFAULT_PATH_SPEC): Float32Array {
  if (strokes.length === 0 || strokes.some((stroke) => stroke.length === 0)) {
    throw new Error("a drawing needs at least one stroke and every stroke at least one point");
  }
  const { points } = spec;
  const zeros = new Float32Array(PATH_FEATURES * points);
  const dot = new Float32Array(PATH_FEATURES * points);
  dot[4 * points] = 1; // the first sample's flag
  const placed = normalise(decimate(strokes, spec.max_points));
  if (!placed.every((stroke) => stroke.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)))) return zeros;
  const segments = segmentsOf(placed);
  if (segments.length === 0) return dot;
  if (!segments.every((s) => Number.isFinite(s.end))) return zeros;
  const total = segments[segments.length - 1].end;
  if (total === 0) return dot;

  const out = new Float32Array(PATH_FEATURES * points);
  let j = 0;
  let previousStroke = -1;
  for (let i = 0; i < points; i++) {
    const t = ((i + 0.5) * total) / points;
    // The first segment with C_{j+1} ≥ t (t never decreases), or the last one.
    while (j < segments.length - 1 && !(segments[j].end >= t)) j++;
    const s = segments[j];
    const safe = s.length > 0 ? s.length : 1;
    const u = clamp((t - s.begin) / safe, 0, 1);
    out[i] = s.ax + u * s.dx;
    out[points + i] = s.ay + u * s.dy;
    out[2 * points + i] = s.dx / safe;
    out[3 * points + i] = s.dy / safe;
    out[4 * points + i] = s.stroke !== previousStroke ? 1 : 0;
    previousStroke = s.stroke;
  }
  return out.every(Number.isFinite) ? out : zeros;
}
