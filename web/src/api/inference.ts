import { apiRequest } from "./client";
import type { ModelEvaluation } from "./evaluation";
import type { StrokeData } from "./strokes";

export interface ModelInfo {
  id: string;
  version: number;
  /** 0..1, on the model's evaluation set. */
  accuracy: number;
  loadedAt: string;
  classes: string[];
  /** Accuracy on each evaluation set of real drawings; absent from older servers. */
  evaluations?: ModelEvaluation[];
}

export interface ShapeConfidence {
  shape: string;
  confidence: number;
}

export interface Classification {
  shape: string;
  confidence: number;
  allPredictions: ShapeConfidence[];
  inferenceTimeMs: number;
  modelVersion: number;
}

export function fetchModelInfo(signal?: AbortSignal): Promise<ModelInfo> {
  return apiRequest<ModelInfo>("/api/inference/model/info", { signal });
}

export function classifyStrokes(strokeData: StrokeData, signal?: AbortSignal): Promise<Classification> {
  return apiRequest<Classification>("/api/inference/classify", { method: "POST", body: { strokeData }, signal });
}
