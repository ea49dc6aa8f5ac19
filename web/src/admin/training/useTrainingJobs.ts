import { useCallback, useEffect, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/admin";
import { useLiveStatus } from "../live/AdminEvents";
import { useApiResource } from "../useApiResource";
import { JOBS_SHOWN } from "./jobEvents";
import { isActiveJob } from "./trainingConfig";
import { useLiveJobs } from "./useLiveJobs";

export const POLL_MS = 2000;

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

/** The latest jobs, kept current by the live events, or polled while any is unfinished and
 * the live connection is down; and the start and cancel actions. */
export function useTrainingJobs() {
  const live = useLiveStatus() === "live";
  const [polling, setPolling] = useState(false);
  const load = useCallback((signal: AbortSignal) => api.listTrainingJobs({ limit: JOBS_SHOWN }, signal), []);
  const jobs = useApiResource(load, { pollMs: polling && !live ? POLL_MS : undefined });
  const { reload } = jobs;
  const { jobs: items, upsert } = useLiveJobs(jobs.data?.items, reload);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [started, setStarted] = useState<StartedJob | null>(null);

  useEffect(() => setPolling(Boolean(items?.some(isActiveJob))), [items]);

  // An answer to a start or a cancel is the job as it is now; the list is asked again only
  // when no event will tell what follows.
  const start = useCallback(
    async (config: api.TrainingConfig) => {
      setStarting(true);
      setActionError(null);
      setStarted(null);
      try {
        const answer = await api.startTraining(config);
        setStarted(answer);
        upsert(answer.job);
        if (!live) reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setStarting(false);
      }
    },
    [live, reload, upsert],
  );

  const cancel = useCallback(
    async (id: string) => {
      setCancelling((current) => new Set(current).add(id));
      setActionError(null);
      try {
        upsert(await api.cancelTrainingJob(id));
        if (!live) reload();
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
    [live, reload, upsert],
  );

  return { jobs: items ?? [], error: jobs.error, reload, start, starting, cancel, cancelling, actionError, notice: startedNotice(started, items) };
}
