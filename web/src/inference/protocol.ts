// The messages between the page and the inference worker (worker.ts). Each request carries
// an id; its answer carries the same id.
import type { ModelCard } from "../api/inference";
import type { RasterStrokes } from "./raster";

export type WorkerRequest =
  | { id: number; type: "load"; card: ModelCard; model: ArrayBuffer }
  | { id: number; type: "classify"; strokes: RasterStrokes };

/** The model's probability of each class, in card order, and the time it took. */
export interface WorkerScores {
  probabilities: number[];
  timeMs: number;
  version: number;
}

export type WorkerAnswer =
  | { id: number; ok: true; scores?: WorkerScores }
  | { id: number; ok: false; error: string };
