// The training form's values, the request they make, and the server's canonical form of it
// (defaults filled, shapes spelled out and sorted), so the page can tell that a config is
// already being trained — the same rule the server dedups by.
import { ACTIVE_JOB_STATUSES, type TrainingConfig, type TrainingJob } from "../../api/admin";

export interface TrainingFormValues {
  epochs: number;
  /** Empty: every active shape. */
  shapes: string[];
  minQuality: number;
  /** Empty: no agreement filter. */
  minAgreement: string;
  /** Empty: no consensus filter. */
  minConsensus: string;
  /** Empty: no trust filter. */
  minTrust: string;
  includeSynthetic: boolean;
  includeFlagged: boolean;
  /** Empty: a random seed. */
  seed: string;
  activate: boolean;
}

export const DEFAULT_FORM: TrainingFormValues = {
  epochs: 8,
  shapes: [],
  minQuality: 0,
  minAgreement: "",
  minConsensus: "",
  minTrust: "",
  includeSynthetic: true,
  includeFlagged: false,
  seed: "",
  activate: false,
};

const MAX_SEED = 2 ** 31 - 1;

/** The optional filters (0–1, or empty for none), with the name a person reads. */
export const OPTIONAL_FILTERS = [
  { key: "minAgreement", label: "Minimum agreement" },
  { key: "minConsensus", label: "Minimum consensus" },
  { key: "minTrust", label: "Minimum trust" },
] as const;

/** What each optional filter leaves out, for a field's title. */
export const FILTER_HELP: Record<(typeof OPTIONAL_FILTERS)[number]["key"], string> = {
  minAgreement:
    "Leave out drawings the model gave less than this probability of their shape (0–1); drawings no model scored stay in",
  minConsensus:
    "Leave out drawings the players' votes say are less likely than this to be their shape (0–1); drawings nobody judged stay in",
  minTrust:
    "Leave out drawings by contributors trusted less than this (0–1); contributors not judged yet stay in",
};

/** A training request: the filters, or a snapshot (`datasetId`) in their place. */
export type TrainingRequest = TrainingConfig & { datasetId?: string | null };

export type CanonicalConfig = Required<TrainingRequest>;

/** The snapshot a job trained on, if it was given one. */
export const jobDatasetId = (job: TrainingJob): string | null => (job.config as TrainingRequest).datasetId ?? null;

/** The request the values make; with a snapshot, it stands in place of the filters. */
export function toRequest(values: TrainingFormValues, datasetId = ""): TrainingRequest {
  const seed = values.seed.trim() !== "" ? { seed: Number(values.seed) } : {};
  if (datasetId) return { epochs: values.epochs, datasetId, activate: values.activate, ...seed };
  const config: TrainingRequest = {
    epochs: values.epochs,
    minQuality: values.minQuality,
    includeSynthetic: values.includeSynthetic,
    includeFlagged: values.includeFlagged,
    activate: values.activate,
    ...seed,
  };
  if (values.shapes.length > 0) config.shapes = values.shapes;
  for (const { key } of OPTIONAL_FILTERS) {
    if (values[key].trim() !== "") config[key] = Number(values[key]);
  }
  return config;
}

export function canonicalConfig(config: TrainingRequest, activeShapes: readonly string[]): CanonicalConfig {
  return {
    epochs: config.epochs,
    datasetId: config.datasetId ?? null,
    shapes: [...new Set(config.shapes ?? activeShapes)].sort(),
    minQuality: config.minQuality ?? 0,
    minAgreement: config.minAgreement ?? null,
    minConsensus: config.minConsensus ?? null,
    minTrust: config.minTrust ?? null,
    includeSynthetic: config.includeSynthetic ?? true,
    includeFlagged: config.includeFlagged ?? false,
    seed: config.seed ?? null,
    activate: config.activate ?? false,
  };
}

/** Whether a job of config `b` is what the server would answer `a` with. With a snapshot the
 * filters are the snapshot's, so it is the snapshot that is compared; without one, the filters
 * (a job may have recorded the snapshot it made for itself). */
export function sameConfig(a: CanonicalConfig, b: CanonicalConfig): boolean {
  const same = a.epochs === b.epochs && (a.seed ?? null) === (b.seed ?? null) && a.activate === b.activate;
  if (a.datasetId) return same && a.datasetId === b.datasetId;
  return (
    same &&
    a.minQuality === b.minQuality &&
    OPTIONAL_FILTERS.every(({ key }) => (a[key] ?? null) === (b[key] ?? null)) &&
    a.includeSynthetic === b.includeSynthetic &&
    a.includeFlagged === b.includeFlagged &&
    a.shapes.length === b.shapes.length &&
    a.shapes.every((shape, i) => shape === b.shapes[i])
  );
}

export const isActiveJob = (job: TrainingJob): boolean => ACTIVE_JOB_STATUSES.includes(job.status);

/** The unfinished job that the server would answer this config with, if any. */
export function runningJobWithConfig(
  jobs: readonly TrainingJob[],
  config: TrainingRequest,
  activeShapes: readonly string[],
): TrainingJob | undefined {
  const wanted = canonicalConfig(config, activeShapes);
  return jobs.find((job) => isActiveJob(job) && sameConfig(wanted, canonicalConfig(job.config as TrainingRequest, [])));
}

/** Why the values cannot be sent, or null. With a snapshot, only its shapes (when known) are
 * checked, not the filters it replaces. */
export function formProblem(
  values: TrainingFormValues,
  activeShapes: readonly string[],
  snapshot?: { shapes: number | undefined },
): string | null {
  if (!Number.isInteger(values.epochs) || values.epochs < 1 || values.epochs > 100) return "Epochs must be a whole number from 1 to 100.";
  const seed = values.seed.trim();
  if (seed !== "" && !(/^\d+$/.test(seed) && Number(seed) <= MAX_SEED)) return `The seed must be a whole number up to ${MAX_SEED}.`;
  if (snapshot) {
    return snapshot.shapes !== undefined && snapshot.shapes < 2 ? "A classifier needs at least 2 shapes; the snapshot has fewer." : null;
  }
  if (!(values.minQuality >= 0 && values.minQuality <= 1)) return "Minimum quality must be between 0 and 1.";
  for (const { key, label } of OPTIONAL_FILTERS) {
    const value = values[key].trim();
    if (value !== "" && !(Number(value) >= 0 && Number(value) <= 1)) return `${label} must be between 0 and 1, or empty.`;
  }
  const count = values.shapes.length > 0 ? values.shapes.length : activeShapes.length;
  if (count < 2) return "A classifier needs at least 2 shapes.";
  return null;
}
