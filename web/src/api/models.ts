// The admin API's models (`/api/admin/models`): each trained version, what it was measured at,
// and making one the active model.
import { admin } from "./admin";
import type { ModelEvaluation } from "./evaluation";

export interface ClassMetrics {
  precision: number;
  recall: number;
  support: number;
}

export interface ModelMetrics {
  validation_accuracy?: number;
  per_class?: Record<string, ClassMetrics>;
  /** Rows are the true class, columns the predicted one, both in `classes` order. */
  confusion_matrix?: number[][];
  train_size?: number;
  validation_size?: number;
  /** What the network reads: "raster", and "pen_path" for a model trained with people's drawings. */
  inputs?: string[];
  [key: string]: unknown;
}

export interface ModelVersion {
  id: string;
  version: number;
  jobId: string | null;
  classes: string[];
  accuracy: number;
  metrics: ModelMetrics;
  datasetSize: number;
  datasetHash: string;
  active: boolean;
  createdAt: string;
  activatedAt: string | null;
  /** Accuracy on each evaluation set: real drawings the model never trained on. */
  evaluations: ModelEvaluation[];
  datasetId?: string | null;
  datasetName?: string | null;
}

export function listModels(signal?: AbortSignal): Promise<ModelVersion[]> {
  return admin<ModelVersion[]>("/models", { signal });
}

export function activateModel(id: string): Promise<ModelVersion> {
  return admin<ModelVersion>(`/models/${encodeURIComponent(id)}/activate`, { method: "POST" });
}
