// Dataset snapshots (`/api/admin/datasets`): a frozen list of drawings, made from a filter,
// that training jobs can train on and that can be exported as it was frozen.
import { admin } from "./admin";
import type { SelectionFilters } from "./filters";

export type DrawingSource = "game" | "import" | "synthetic";

/** Which drawings a snapshot takes: the training filters, and sources (null shapes: every
 * active shape; null sources: every source). */
export interface DatasetFilter extends SelectionFilters {
  shapes?: string[] | null;
  sources?: string[] | null;
}

export interface DatasetCreate {
  name: string;
  filter: DatasetFilter;
}

export interface DatasetModelRef {
  id: string;
  version: number;
}

export interface DatasetRead {
  id: string;
  name: string;
  drawings: number;
  perShape: Record<string, number>;
  contentHash: string;
  createdAt: string;
  /** As it was given, with the defaults filled in. */
  filter: DatasetFilter;
  /** True for the snapshot a training job made for itself. */
  implicit: boolean;
  /** Drawings taken out since, because their contributor withdrew them. */
  withdrawn: number;
  /** The models trained on it. */
  models: DatasetModelRef[];
}

export interface DatasheetChange {
  at: string;
  withdrawn: number;
  previousHash: string;
  contentHash: string;
}

export interface Datasheet {
  sources: Record<string, number>;
  licences: Record<string, number>;
  /** Each withdrawal that changed the snapshot, oldest first. */
  history: DatasheetChange[];
}

export interface DatasetDetail extends DatasetRead {
  datasheet: Datasheet;
}

export type ExportFormat = "ndjson" | "quickdraw";

const path = (id: string) => `/datasets/${encodeURIComponent(id)}`;

/** Newest first. */
export function listDatasets(signal?: AbortSignal): Promise<DatasetRead[]> {
  return admin<DatasetRead[]>("/datasets", { signal });
}

export function fetchDataset(id: string, signal?: AbortSignal): Promise<DatasetDetail> {
  return admin<DatasetDetail>(path(id), { signal });
}

export function createDataset(request: DatasetCreate): Promise<DatasetRead> {
  return admin<DatasetRead>("/datasets", { method: "POST", body: request });
}

/** Refused with 409 DATASET_IN_USE while a model trained on it exists, unless `force`. */
export function deleteDataset(id: string, force = false): Promise<void> {
  return admin<void>(path(id), { method: "DELETE", query: { force: force || undefined } });
}

/** A link that downloads the snapshot's drawings (the browser sends the session cookie). */
export const datasetExportUrl = (id: string, format: ExportFormat = "ndjson") =>
  `/api/admin${path(id)}/export?format=${format}`;

/** A link that downloads the snapshot's datasheet as Markdown. */
export const datasheetUrl = (id: string) => `/api/admin${path(id)}/datasheet`;
