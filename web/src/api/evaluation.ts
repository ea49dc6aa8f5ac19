import { admin, type TrainingJob } from "./admin";

/** A model's score on one evaluation set. */
export interface ModelEvaluation {
  evalSet: string;
  /** 0..1: the share of the set's drawings (of the model's shapes) named right. */
  accuracy: number;
  drawings: number;
  perClass: Record<string, { accuracy: number; drawings: number }>;
  evaluatedAt: string;
}

/** Real, labelled drawings that no model trains on; every model is scored on them. */
export interface EvalSet {
  name: string;
  drawings: number;
  shapes: string[];
  createdAt: string;
}

export function listEvalSets(signal?: AbortSignal): Promise<EvalSet[]> {
  return admin<EvalSet[]>("/eval-sets", { signal });
}

/** A JSON Lines file (the project's ndjson or Quick, Draw! raw), registered under `name`. */
export function addEvalSet(name: string, file: Blob): Promise<EvalSet> {
  return admin<EvalSet>("/eval-sets", {
    method: "POST",
    body: file,
    headers: { "Content-Type": "application/x-ndjson" },
    query: { name },
  });
}

export async function removeEvalSet(name: string): Promise<void> {
  await admin<void>(`/eval-sets/${encodeURIComponent(name)}`, { method: "DELETE" });
}

/** Score the model on every set again, as a job for the workers. */
export function rescoreModel(id: string): Promise<TrainingJob> {
  return admin<TrainingJob>(`/models/${encodeURIComponent(id)}/evaluate`, { method: "POST" });
}
