// An audit entry as the table shows it: what it was about, and its details in words.
import type { AuditEntry } from "../../api/admin";
import { datasetPath } from "../datasets/datasetLinks";
import { experimentPath } from "../experiments/experimentLinks";
import { modelPath } from "../models/modelLinks";

const SUBJECT_PATHS: Record<string, (id: string) => string> = {
  drawing: (id) => `/admin/drawings/${encodeURIComponent(id)}`,
  dataset: datasetPath,
  experiment: experimentPath,
  model: modelPath,
};

/** Where the subject has a page of its own, else null. */
export function subjectPath(entry: AuditEntry): string | null {
  const path = entry.targetType && entry.targetId ? SUBJECT_PATHS[entry.targetType] : undefined;
  return path && entry.targetId ? path(entry.targetId) : null;
}

export function subjectText(entry: AuditEntry): string {
  return [entry.targetType?.replace(/_/g, " "), entry.targetId].filter(Boolean).join(" ");
}

const text = (value: unknown): string =>
  value === null || value === undefined ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value);

/** One line a detail; `changes: {field: [before, after]}` as "field: before → after". */
export function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).flatMap(([key, value]) => {
    if (key === "changes" && value && typeof value === "object" && !Array.isArray(value)) {
      return Object.entries(value).map(([field, change]) =>
        Array.isArray(change) && change.length === 2 ? `${field}: ${text(change[0])} → ${text(change[1])}` : `${field}: ${text(change)}`,
      );
    }
    return [`${key}: ${text(value)}`];
  });
}
