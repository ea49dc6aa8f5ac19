import { useCallback, useEffect, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/admin";
import { useApiResource } from "../useApiResource";
import { isActiveJob } from "./trainingConfig";

export const POLL_MS = 2000;
const JOBS_SHOWN = 20;

export interface StartedJob {
  job: api.TrainingJob;
  /** False when the server answered with an unfinished job of the same config. */
  created: boolean;
}

/** What became of the job just started, as the latest list tells, while it is unfinished;
 * null once it ends, when its card tells how it went. */
export function startedNotice(started: StartedJob | null, jobs: readonly api.TrainingJob[] | undefined): string | null {
  if (!started) return null;
  const job = jobs?.find((listed) => listed.id === started.job.id) ?? started.job;
  if (!isActiveJob(job)) return null;
  const id = job.id.slice(0, 8);
  return started.created ? `Training job ${id} is ${job.status}.` : `The same config is already ${job.status} as job ${id}.`;
}

/** The latest jobs, polled while any is unfinished, and the start and cancel actions. */
export function useTrainingJobs() {
  const [polling, setPolling] = useState(false);
  const load = useCallback((signal: AbortSignal) => api.listTrainingJobs({ limit: JOBS_SHOWN }, signal), []);
  const jobs = useApiResource(load, { pollMs: polling ? POLL_MS : undefined });
  const items = jobs.data?.items;
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [started, setStarted] = useState<StartedJob | null>(null);

  useEffect(() => setPolling(Boolean(items?.some(isActiveJob))), [items]);

  const { reload } = jobs;
  const start = useCallback(
    async (config: api.TrainingConfig) => {
      setStarting(true);
      setActionError(null);
      setStarted(null);
      try {
        setStarted(await api.startTraining(config));
        reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setStarting(false);
      }
    },
    [reload],
  );

  const cancel = useCallback(
    async (id: string) => {
      setCancelling((current) => new Set(current).add(id));
      setActionError(null);
      try {
        await api.cancelTrainingJob(id);
        reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setCancelling((current) => {
          const copy = new Set(current);
          copy.delete(id);
          return copy;
        });
      }
    },
    [reload],
  );

  return { jobs: items ?? [], error: jobs.error, reload, start, starting, cancel, cancelling, actionError, notice: startedNotice(started, items) };
}
