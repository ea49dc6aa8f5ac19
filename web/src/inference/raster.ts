// Strokes → model input: a port of crowdsketch/raster.py, step for step and in the same
// order of IEEE double operations, so the browser feeds the model what the server would.
// tests/vectors/raster.json pins the two together (raster.test.ts).

/** The raster spec, as the model card's `preprocessing` spells it. */
export interface RasterSpec {
  size: number;
  padding: number;
  line_width: number;
  max_points: number;
}

export const DEFAULT_SPEC: RasterSpec = { size: 32, padding: 2, line_width: 1.5, max_points: 64 };

/** [x, y] or [x, y, t]; `t` is ignored. */
export type RasterPoint = readonly number[];
export type RasterStrokes = readonly (readonly RasterPoint[])[];

function keptCount(lengths: readonly number[], k: number): number {
  let kept = 0;
  for (const n of lengths) kept += n === 1 ? 1 : Math.ceil((n - 1) / k) + 1;
  return kept;
}

/** The smallest stride k that keeps at most `maxPoints` points (step 1). */
export function decimationStep(lengths: readonly number[], maxPoints: number): number {
  if (lengths.reduce((sum, n) => sum + n, 0) <= maxPoints) return 1;
  let lo = 1;
  let hi = Math.max(Math.max(...lengths) - 1, 1); // at k = hi every stroke keeps only its ends
  if (keptCount(lengths, hi) > maxPoints) return hi;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (keptCount(lengths, mid) <= maxPoints) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Each stroke's kept [x, y] points, in order (step 1). */
export function decimate(strokes: RasterStrokes, maxPoints: number): [number, number][][] {
  const k = decimationStep(strokes.map((stroke) => stroke.length), maxPoints);
  return strokes.map((stroke) => {
    const last = stroke.length - 1;
    const kept: [number, number][] = [];
    for (let i = 0; i <= last; i += k) kept.push([stroke[i][0], stroke[i][1]]);
    if ((last % k) !== 0) kept.push([stroke[last][0], stroke[last][1]]);
    return kept;
  });
}

interface Segment {
  ax: number;
  ay: number;
  dx: number;
  dy: number;
  divisor: number;
  low: [number, number];
  high: [number, number];
}

/** The kept points' box: its low corner and extent, with every coordinate halved first
 * (`halve`) when the extent is too wide for doubles; exact, and a scale undoes it. */
export function inkBox(kept: [number, number][][]): { low: [number, number]; extent: [number, number]; halve: boolean } {
  const low: [number, number] = [Infinity, Infinity];
  const high: [number, number] = [-Infinity, -Infinity];
  for (const stroke of kept) {
    for (const [x, y] of stroke) {
      low[0] = Math.min(low[0], x);
      low[1] = Math.min(low[1], y);
      high[0] = Math.max(high[0], x);
      high[1] = Math.max(high[1], y);
    }
  }
  let extent: [number, number] = [high[0] - low[0], high[1] - low[1]];
  const halve = !Number.isFinite(extent[0]) || !Number.isFinite(extent[1]);
  if (halve) {
    low[0] /= 2;
    low[1] /= 2;
    extent = [high[0] / 2 - low[0], high[1] / 2 - low[1]];
  }
  return { low, extent, halve };
}

/** Scale the kept points' box uniformly into the inner square and centre it (step 2). */
function normalise(kept: [number, number][][], spec: RasterSpec): [number, number][][] {
  const { low, extent, halve } = inkBox(kept);
  const longest = Math.max(extent[0], extent[1]);
  let scale = longest > 0 ? (spec.size - 2 * spec.padding) / longest : 0;
  if (!Number.isFinite(scale)) scale = 0;
  const offset = [(spec.size - extent[0] * scale) / 2, (spec.size - extent[1] * scale) / 2];
  const place = (x: number, y: number): [number, number] => [(x - low[0]) * scale + offset[0], (y - low[1]) * scale + offset[1]];
  return kept.map((stroke) => stroke.map(([x, y]) => (halve ? place(x / 2, y / 2) : place(x, y))));
}

function segmentsOf(strokes: [number, number][][], reach: number): Segment[] {
  const segments: Segment[] = [];
  const add = (a: [number, number], b: [number, number]) => {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    segments.push({
      ax: a[0],
      ay: a[1],
      dx,
      dy,
      divisor: len2 > 0 ? len2 : 1, // a dot has dx = dy = 0, so its u is 0 anyway
      low: [Math.min(a[0], a[0] + dx) - reach, Math.min(a[1], a[1] + dy) - reach],
      high: [Math.max(a[0], a[0] + dx) + reach, Math.max(a[1], a[1] + dy) + reach],
    });
  };
  for (const stroke of strokes) {
    if (stroke.length === 1) add(stroke[0], stroke[0]);
    for (let i = 0; i + 1 < stroke.length; i++) add(stroke[i], stroke[i + 1]);
  }
  return segments;
}

const clamp = (value: number, low: number, high: number) => (value < low ? low : value > high ? high : value);

/** One drawing as a size × size float32 raster, rows top to bottom; 0 background, 1 ink. */
export function rasterize(strokes: RasterStrokes, spec: RasterSpec = DEFAULT_SPEC): Float32Array {
  if (strokes.length === 0 || strokes.some((stroke) => stroke.length === 0)) {
    throw new Error("a drawing needs at least one stroke and every stroke at least one point");
  }
  const placed = normalise(decimate(strokes, spec.max_points), spec);
  const reach = spec.line_width / 2 + 0.5; // a pixel further than this from a segment gets 0 from it
  const segments = segmentsOf(placed, reach);
  const { size } = spec;
  const raster = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    const py = row + 0.5;
    for (let col = 0; col < size; col++) {
      const px = col + 0.5;
      let d2 = Infinity;
      for (const s of segments) {
        // Outside the segment's box grown by `reach` a pixel is too far to be inked by it.
        if (px < s.low[0] || px > s.high[0] || py < s.low[1] || py > s.high[1]) continue;
        const relX = px - s.ax;
        const relY = py - s.ay;
        const u = clamp((relX * s.dx + relY * s.dy) / s.divisor, 0, 1);
        const ex = relX - u * s.dx;
        const ey = relY - u * s.dy;
        const distance2 = ex * ex + ey * ey;
        if (distance2 < d2) d2 = distance2;
      }
      raster[row * size + col] = clamp(reach - Math.sqrt(d2), 0, 1);
    }
  }
  return raster;
}
