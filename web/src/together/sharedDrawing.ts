// The room's shared Yjs document, read and written without React so it can be tested alone.
//
// `strokes` is a Y.Array of Y.Maps {id, author, color, points}; `points` is a Y.Array of
// [x, y, t] triples (logical 500×500 canvas, t in epoch ms). A stroke is pushed with its first
// point, then grows a point batch at a time, so the others see it while it is drawn.
// `room` is the server's: the round, its prompt, who is ready and the last stored round.
import * as Y from "yjs";
import type { Participant, RoomPrompt } from "../api/together";
import type { Point, Stroke } from "../api/strokes";

export const ROOM_CANVAS = { width: 500, height: 500 } as const;

export interface SharedStroke {
  id: string;
  author: string;
  color: string;
  points: Stroke;
}

export interface SavedRound {
  round: number;
  drawingId: string;
  qualityScore: number;
}

export interface RoomState {
  /** Null until the server's state has arrived. */
  round: number | null;
  prompt: RoomPrompt | null;
  /** Participant ids ready in this round. */
  ready: string[];
  saved: SavedRound | null;
}

export const strokesOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>("strokes");
export const roomOf = (doc: Y.Doc) => doc.getMap<unknown>("room");

// Ink colours come from other browsers: only plain hex reaches the canvas.
const COLOR = /^#[0-9a-f]{6}$/i;
const FALLBACK_INK = "#1f2a44";

const isPoint = (value: unknown): value is Point =>
  Array.isArray(value) && value.length === 3 && value.every((n) => typeof n === "number" && Number.isFinite(n));

/** A value the server may have written as plain JSON or as a nested Yjs type. */
const plain = (value: unknown): unknown => (value instanceof Y.AbstractType ? value.toJSON() : value);

function readStroke(entry: unknown): SharedStroke | null {
  if (!(entry instanceof Y.Map)) return null;
  const points = entry.get("points");
  if (!(points instanceof Y.Array)) return null;
  const id = entry.get("id");
  const author = entry.get("author");
  const color = entry.get("color");
  return {
    id: typeof id === "string" ? id : "",
    author: typeof author === "string" ? author : "",
    color: typeof color === "string" && COLOR.test(color) ? color : FALLBACK_INK,
    points: points.toArray().filter(isPoint),
  };
}

/** Every stroke with at least one point, in the order they were started. */
export function readStrokes(doc: Y.Doc): SharedStroke[] {
  const strokes: SharedStroke[] = [];
  for (const entry of strokesOf(doc).toArray()) {
    const stroke = readStroke(entry);
    if (stroke && stroke.points.length > 0) strokes.push(stroke);
  }
  return strokes;
}

/** Removes `author`'s most recent stroke and nobody else's; false when they have none. */
export function undoLastStroke(doc: Y.Doc, author: string): boolean {
  const strokes = strokesOf(doc);
  const entries = strokes.toArray();
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index];
    if (entry instanceof Y.Map && entry.get("author") === author) {
      doc.transact(() => strokes.delete(index, 1));
      return true;
    }
  }
  return false;
}

export function readRoom(doc: Y.Doc): RoomState {
  const room = roomOf(doc);
  const round = room.get("round");
  const prompt = plain(room.get("prompt")) as Partial<RoomPrompt> | undefined;
  const ready = plain(room.get("ready"));
  const saved = plain(room.get("saved")) as Partial<SavedRound> | undefined;
  return {
    round: typeof round === "number" ? round : null,
    prompt: prompt && typeof prompt.id === "string" && typeof prompt.name === "string" ? { id: prompt.id, name: prompt.name } : null,
    ready: Array.isArray(ready) ? ready.filter((id): id is string => typeof id === "string") : [],
    saved:
      saved && typeof saved.round === "number" && typeof saved.drawingId === "string"
        ? { round: saved.round, drawingId: saved.drawingId, qualityScore: Number(saved.qualityScore ?? 0) }
        : null,
  };
}

export interface PenSample {
  x: number;
  y: number;
  /** Epoch milliseconds. */
  time: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const clamp = (value: number, most: number) => Math.min(most, Math.max(0, value));

/** One person's pen on the shared drawing: starts their strokes and streams their points. */
export class StrokePen {
  private counter = 0;
  private points: Y.Array<Point> | null = null;
  private stroke: Y.Map<unknown> | null = null;
  private last: Point | null = null;

  constructor(
    private readonly doc: Y.Doc,
    private readonly participant: Pick<Participant, "id" | "color">,
  ) {}

  get isDrawing(): boolean {
    return this.points !== null;
  }

  private point(sample: PenSample): Point {
    // Times never go backwards within a stroke, whatever the event clock did.
    const t = Math.max(this.last?.[2] ?? 0, Math.round(sample.time));
    return [round2(clamp(sample.x, ROOM_CANVAS.width)), round2(clamp(sample.y, ROOM_CANVAS.height)), t];
  }

  /** Pushes a new stroke holding its first point, in one transaction. */
  begin(sample: PenSample): void {
    this.end();
    const first = this.point(sample);
    const stroke = new Y.Map<unknown>();
    const points = new Y.Array<Point>();
    this.counter += 1;
    this.doc.transact(() => {
      strokesOf(this.doc).push([stroke]);
      stroke.set("id", `${this.doc.clientID}-${this.counter}`);
      stroke.set("author", this.participant.id);
      stroke.set("color", this.participant.color);
      stroke.set("points", points);
      points.push([first]);
    });
    this.stroke = stroke;
    this.points = points;
    this.last = first;
  }

  /** Adds a batch of samples (one pointermove's coalesced events) in one transaction. */
  extend(samples: readonly PenSample[]): void {
    const points = this.points;
    if (!points) return;
    // Undone, or cleared by the server for the next round, while still being drawn.
    if (this.stroke?._item?.deleted) {
      this.end();
      return;
    }
    const added: Point[] = [];
    for (const sample of samples) {
      const point = this.point(sample);
      if (this.last && point[0] === this.last[0] && point[1] === this.last[1]) continue;
      added.push(point);
      this.last = point;
    }
    if (added.length > 0) this.doc.transact(() => points.push(added));
  }

  end(): void {
    this.points = null;
    this.stroke = null;
    this.last = null;
  }
}
