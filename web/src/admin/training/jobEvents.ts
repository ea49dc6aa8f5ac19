// The jobs list kept current by live events, as pure functions: what an event changes in the
// jobs shown, and which single job is worth fetching for what an event does not carry.
import type { EpochProgress, TrainingJob } from "../../api/admin";
import type { AdminEvent } from "../../api/events";
import { isActiveJob } from "./trainingConfig";

export const JOBS_SHOWN = 20;
const TRAIN = "train";

export interface JobEventOutcome {
  jobs: TrainingJob[];
  /** A job to fetch: one not shown yet, one whose epochs have a gap, or one just finished
   * (its model, and why that model was not made active, are not in the event). */
  fetchJob: string | null;
}

const patch = (jobs: TrainingJob[], id: string, change: (job: TrainingJob) => TrainingJob) =>
  jobs.map((job) => (job.id === id ? change(job) : job));

function withEpoch(job: TrainingJob, epoch: EpochProgress): TrainingJob {
  const epochs = [...job.progress.epochs.filter((e) => e.epoch !== epoch.epoch), epoch].sort((a, b) => a.epoch - b.epoch);
  const status = job.status === "pending" || job.status === "queued" ? "running" : job.status;
  return { ...job, status, progress: { ...job.progress, epochs } };
}

/** The jobs after `event`; events of other kinds of job (re-scoring, scans) change nothing. */
export function applyJobEvent(jobs: TrainingJob[], event: AdminEvent): JobEventOutcome {
  const unchanged = { jobs, fetchJob: null };
  if (!event.type.startsWith("job.")) return unchanged;
  const id = (event.data as { jobId: string }).jobId;
  const kind = (event.data as { kind?: string }).kind;
  if (kind !== undefined && kind !== TRAIN) return unchanged;
  const known = jobs.find((job) => job.id === id);
  if (!known) return { jobs, fetchJob: id };

  switch (event.type) {
    case "job.queued":
      return {
        jobs: patch(jobs, id, (job) => ({ ...job, status: job.status === "pending" ? "queued" : job.status, queuedAt: job.queuedAt ?? event.at })),
        fetchJob: null,
      };
    case "job.started":
      return {
        jobs: patch(jobs, id, (job) => ({ ...job, status: isActiveJob(job) ? "running" : job.status, startedAt: event.at || job.startedAt })),
        fetchJob: null,
      };
    case "job.epoch": {
      const { epoch, loss, trainAccuracy, validationAccuracy, seconds } = event.data;
      const gap = known.progress.epochs.filter((e) => e.epoch < epoch).length < epoch - 1;
      return {
        jobs: patch(jobs, id, (job) => withEpoch(job, { epoch, loss, trainAccuracy, validationAccuracy, seconds })),
        fetchJob: gap ? id : null,
      };
    }
    case "job.finished": {
      const { status, modelId, error } = event.data;
      return {
        jobs: patch(jobs, id, (job) => ({ ...job, status, modelId: modelId ?? job.modelId, error, finishedAt: event.at || job.finishedAt })),
        fetchJob: id,
      };
    }
    default:
      return unchanged;
  }
}

/** A job as an answer tells it, but no older than what events told since: a job the answer
 * shows unfinished keeps the ending and the further epochs heard live. */
function fresher(answer: TrainingJob, shown: TrainingJob | undefined): TrainingJob {
  if (!shown || !isActiveJob(answer)) return answer;
  if (!isActiveJob(shown)) return shown;
  if (shown.progress.epochs.length <= answer.progress.epochs.length) return answer;
  return { ...answer, status: shown.status, progress: { ...answer.progress, epochs: shown.progress.epochs } };
}

/** `job` put in place of its older self, or among the newest; not a job of another kind
 * (the list shows training jobs only). */
export function upsertJob(jobs: TrainingJob[], job: TrainingJob & { kind?: string }): TrainingJob[] {
  if (job.kind !== undefined && job.kind !== TRAIN) return jobs;
  if (jobs.some((shown) => shown.id === job.id)) return jobs.map((shown) => (shown.id === job.id ? fresher(job, shown) : shown));
  return [job, ...jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, JOBS_SHOWN);
}

/** A list answer merged with what events told since it was asked for; a job newer than any
 * it lists (heard of meanwhile) stays. */
export function mergeListed(listed: TrainingJob[], shown: TrainingJob[]): TrainingJob[] {
  const byId = new Map(shown.map((job) => [job.id, job]));
  const merged = listed.map((job) => fresher(job, byId.get(job.id)));
  const newest = listed[0]?.createdAt ?? "";
  const newer = shown.filter((job) => job.createdAt > newest && !listed.some((l) => l.id === job.id));
  return [...newer, ...merged].slice(0, JOBS_SHOWN);
}
