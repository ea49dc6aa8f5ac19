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

export type CanonicalConfig = Required<TrainingConfig>;

export function toRequest(values: TrainingFormValues): TrainingConfig {
  const config: TrainingConfig = {
    epochs: values.epochs,
    minQuality: values.minQuality,
    includeSynthetic: values.includeSynthetic,
    includeFlagged: values.includeFlagged,
    activate: values.activate,
  };
  if (values.shapes.length > 0) config.shapes = values.shapes;
  if (values.seed.trim() !== "") config.seed = Number(values.seed);
  for (const { key } of OPTIONAL_FILTERS) {
    if (values[key].trim() !== "") config[key] = Number(values[key]);
  }
  return config;
}

export function canonicalConfig(config: TrainingConfig, activeShapes: readonly string[]): CanonicalConfig {
  return {
    epochs: config.epochs,
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

export function sameConfig(a: CanonicalConfig, b: CanonicalConfig): boolean {
  return (
    a.epochs === b.epochs &&
    a.minQuality === b.minQuality &&
    OPTIONAL_FILTERS.every(({ key }) => (a[key] ?? null) === (b[key] ?? null)) &&
    a.includeSynthetic === b.includeSynthetic &&
    a.includeFlagged === b.includeFlagged &&
    (a.seed ?? null) === (b.seed ?? null) &&
    a.activate === b.activate &&
    a.shapes.length === b.shapes.length &&
    a.shapes.every((shape, i) => shape === b.shapes[i])
  );
}

export const isActiveJob = (job: TrainingJob): boolean => ACTIVE_JOB_STATUSES.includes(job.status);

/** The unfinished job that the server would answer this config with, if any. */
export function runningJobWithConfig(
  jobs: readonly TrainingJob[],
  config: TrainingConfig,
  activeShapes: readonly string[],
): TrainingJob | undefined {
  const wanted = canonicalConfig(config, activeShapes);
  return jobs.find((job) => isActiveJob(job) && sameConfig(canonicalConfig(job.config, []), wanted));
}

/** Why the values cannot be sent, or null. */
export function formProblem(values: TrainingFormValues, activeShapes: readonly string[]): string | null {
  if (!Number.isInteger(values.epochs) || values.epochs < 1 || values.epochs > 100) return "Epochs must be a whole number from 1 to 100.";
  if (!(values.minQuality >= 0 && values.minQuality <= 1)) return "Minimum quality must be between 0 and 1.";
  for (const { key, label } of OPTIONAL_FILTERS) {
    const value = values[key].trim();
    if (value !== "" && !(Number(value) >= 0 && Number(value) <= 1)) return `${label} must be between 0 and 1, or empty.`;
  }
  const seed = values.seed.trim();
  if (seed !== "" && !(/^\d+$/.test(seed) && Number(seed) <= MAX_SEED)) return `The seed must be a whole number up to ${MAX_SEED}.`;
  const count = values.shapes.length > 0 ? values.shapes.length : activeShapes.length;
  if (count < 2) return "A classifier needs at least 2 shapes.";
  return null;
}
