import { ApiError, apiRequest } from "./client";
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

/** `apiKey`: an implementor's key, sent as `Authorization: Bearer <key>`, for a server that
 * requires one (401 `API_KEY_REQUIRED`); the game's calls send none. */
export function classifyStrokes(strokeData: StrokeData, signal?: AbortSignal, apiKey?: string): Promise<Classification> {
  const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined;
  return apiRequest<Classification>("/api/inference/classify", { method: "POST", body: { strokeData }, headers, signal });
}

/** What a browser needs beside the ONNX file to classify as the server does. */
export interface ModelCard {
  id: string;
  version: number;
  /** The output's classes, in order. */
  classes: string[];
  /** The raster spec (crowdsketch/raster.py; web/src/inference/raster.ts). */
  preprocessing: { size: number; padding: number; line_width: number; max_points: number };
  /** The ONNX input: a float32 (1, 1, size, size) image. */
  inputName: string;
  /** The path spec (crowdsketch/pen_path.py; web/src/inference/penPath.ts's PathSpec) of a
   * model that also reads the pen's path; null or absent for a raster-only model. */
  path?: { points: number; max_points: number } | null;
  /** The ONNX input ("pen_path") that takes a float32 (1, 5, path.points) path when `path` is
   * set; null or absent otherwise. */
  pathInputName?: string | null;
  /** The ONNX output: logits, to which softmax applies. */
  output: string;
}

export function fetchModelCard(signal?: AbortSignal): Promise<ModelCard> {
  return apiRequest<ModelCard>("/api/inference/model/card", { signal });
}

/** The active model's ONNX file, by its version: the browser keeps it for good. A 404 means
 * another version became active meanwhile. */
export async function fetchModelFile(version: number, signal?: AbortSignal): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(`/api/inference/model?version=${version}`, { credentials: "include", signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError({ status: 0, code: "NETWORK_ERROR", message: "The model could not be downloaded. Check your connection." });
  }
  if (!response.ok) {
    throw new ApiError({ status: response.status, code: `HTTP_${response.status}`, message: `The model file answered ${response.status}` });
  }
  return response.arrayBuffer();
}
