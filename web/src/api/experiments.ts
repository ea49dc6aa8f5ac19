// A/B tests of model versions (`/api/admin/experiments`): a treatment model answers a share
// of the classify traffic beside the active model (the control) until one is shown better,
// or neither is at the planned power. At most one experiment runs at a time.
import { admin } from "./admin";
import type { AdminEvent } from "./events";

export type ExperimentStatus = "running" | "stopped" | "promoted";
export type ArmName = "control" | "treatment";
export type Decision = "keep running" | "treatment better" | "control better" | "no difference at the planned power";

export interface Interval {
  low: number;
  high: number;
}

export interface ExperimentArm {
  arm: ArmName;
  modelId: string;
  modelVersion: number;
  /** Classify answers this arm gave. */
  requests: number;
  /** Answers whose truth is known (feedback, or a game drawing's prompt). */
  labelled: number;
  correct: number;
  /** 0..1; null before any label. */
  accuracy: number | null;
  /** The 95% interval of `accuracy`. */
  interval: Interval | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface ExperimentComparison {
  /** Treatment's accuracy minus control's (0..1 scale); null before both arms have labels. */
  difference: number | null;
  interval: Interval | null;
  pValue: number | null;
  decision: Decision;
  plannedLabelsPerArm: number;
  /** The test used, in words. */
  method: string;
  /** Judged on the game drawings both arms scored (fixed when the experiment started). */
  paired: boolean;
}

/** Drawings both arms named: who was right. */
export interface PairedCounts {
  drawings: number;
  bothRight: number;
  controlOnly: number;
  treatmentOnly: number;
  bothWrong: number;
}

export interface Experiment {
  id: string;
  name: string;
  status: ExperimentStatus;
  /** The treatment's share of the traffic, 0.01..0.99. */
  share: number;
  startedAt: string;
  endedAt: string | null;
  arms: ExperimentArm[];
  comparison: ExperimentComparison;
  paired: PairedCounts;
}

export interface ExperimentCreate {
  name: string;
  treatmentModelId: string;
  share: number;
  /** The smallest accuracy difference worth finding (0.005..0.5; 0.03 when left out): it plans the labels needed. */
  minimumEffect?: number;
}

const path = (id: string, action = "") => `/experiments/${encodeURIComponent(id)}${action}`;

/** Newest first. */
export function listExperiments(signal?: AbortSignal): Promise<Experiment[]> {
  return admin<Experiment[]>("/experiments", { signal });
}

export function fetchExperiment(id: string, signal?: AbortSignal): Promise<Experiment> {
  return admin<Experiment>(path(id), { signal });
}

/** 409 EXPERIMENT_RUNNING while another runs. */
export function startExperiment(request: ExperimentCreate): Promise<Experiment> {
  return admin<Experiment>("/experiments", { method: "POST", body: request });
}

/** All traffic goes back to the control; 409 EXPERIMENT_ENDED once ended. */
export function stopExperiment(id: string): Promise<Experiment> {
  return admin<Experiment>(path(id, "/stop"), { method: "POST" });
}

/** The treatment becomes the active model and the experiment ends. */
export function promoteExperiment(id: string): Promise<Experiment> {
  return admin<Experiment>(path(id, "/promote"), { method: "POST" });
}

/** The arm of that name (the server sends both). */
export const armOf = (experiment: Experiment, name: ArmName): ExperimentArm | undefined =>
  experiment.arms.find((arm) => arm.arm === name);

export const EXPERIMENT_UPDATED = "experiment.updated";

/** The experiment an `experiment.updated` event names (its counts changed, at most once a
 * second, or it started or ended); null for any other event. The event is read here since
 * the socket passes on types it does not list. */
export function updatedExperimentId(event: AdminEvent): string | null {
  const { type, data } = event as { type: string; data: unknown };
  if (type !== EXPERIMENT_UPDATED || typeof data !== "object" || data === null) return null;
  const id = (data as { experimentId?: unknown }).experimentId;
  return typeof id === "string" ? id : null;
}
