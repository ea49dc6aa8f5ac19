// Raw stroke capture, free of React and the DOM so it can be tested alone. Points are kept
// as they came ([x, y, t], t in ms since the drawing's first point); nothing is smoothed.
import type { CanvasSize, Device, Point, Stroke, StrokeData } from "../api/strokes";

export interface RawSample {
  x: number;
  y: number;
  /** The event's timeStamp (ms, any origin). */
  time: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function deviceFromPointerType(pointerType: string): Device {
  return pointerType === "touch" || pointerType === "pen" ? pointerType : "mouse";
}

export class StrokeRecorder {
  private readonly finished: Stroke[] = [];
  private current: Stroke | null = null;
  private origin: number | null = null;
  private firstDevice: Device | null = null;

  get strokes(): Stroke[] {
    return this.current ? [...this.finished, this.current] : [...this.finished];
  }

  get finishedStrokes(): Stroke[] {
    return [...this.finished];
  }

  get device(): Device {
    return this.firstDevice ?? "mouse";
  }

  get isDrawing(): boolean {
    return this.current !== null;
  }

  get isEmpty(): boolean {
    return this.finished.length === 0 && this.current === null;
  }

  private point(sample: RawSample, previous: Point | undefined): Point {
    this.origin ??= sample.time;
    // Rounded to whole ms and never decreasing within a stroke, as the server requires.
    const t = Math.max(previous?.[2] ?? 0, Math.round(Math.max(0, sample.time - this.origin)));
    return [round2(sample.x), round2(sample.y), t];
  }

  begin(sample: RawSample, device: Device): void {
    if (this.current) this.end();
    this.firstDevice ??= device;
    this.current = [this.point(sample, undefined)];
  }

  extend(samples: readonly RawSample[]): void {
    const stroke = this.current;
    if (!stroke) return;
    for (const sample of samples) {
      const point = this.point(sample, stroke[stroke.length - 1]);
      const last = stroke[stroke.length - 1];
      if (point[0] === last[0] && point[1] === last[1]) continue;
      stroke.push(point);
    }
  }

  end(): void {
    if (this.current) this.finished.push(this.current);
    this.current = null;
  }

  undo(): void {
    if (this.current) this.current = null;
    else this.finished.pop();
    if (this.finished.length === 0) this.reset();
  }

  clear(): void {
    this.finished.length = 0;
    this.current = null;
    this.reset();
  }

  private reset(): void {
    this.origin = null;
    this.firstDevice = null;
  }

  /** The finished strokes in the wire format; null while there are none. */
  toStrokeData(canvas: CanvasSize): StrokeData | null {
    if (this.finished.length === 0) return null;
    const strokes = this.finished.map((stroke) => stroke.map((point) => [...point] as Point));
    const duration = strokes.reduce((most, stroke) => Math.max(most, stroke[stroke.length - 1][2]), 0);
    return { canvas: { ...canvas }, strokes, duration_ms: Math.round(duration), device: this.device };
  }
}
