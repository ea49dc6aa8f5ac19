import { useCallback, useEffect, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/experiments";
import { useAdminEvents, useLiveStatus } from "../live/AdminEvents";
import { useThrottled } from "../live/useThrottled";
import { useApiResource } from "../useApiResource";

/** An experiment's counts are read again at most this often on its events. */
export const EXPERIMENT_REFRESH_MS = 1000;
/** How often a running experiment is read while the live connection is down. */
export const EXPERIMENT_POLL_MS = 5000;

export type ExperimentAction = "stop" | "promote";

/** One experiment, kept current: read again on its `experiment.updated` events (at most once
 * a second), or polled while it runs and the live connection is down; and its two endings. */
export function useExperiment(id: string) {
  const live = useLiveStatus() === "live";
  const load = useCallback((signal: AbortSignal) => api.fetchExperiment(id, signal), [id]);
  const [running, setRunning] = useState(true);
  const experiment = useApiResource(load, { pollMs: running && !live ? EXPERIMENT_POLL_MS : undefined });
  const { reload } = experiment;
  const status = experiment.data?.status;
  const missing = experiment.error?.status === 404;
  useEffect(() => {
    if (missing) setRunning(false);
    else if (status !== undefined) setRunning(status === "running");
  }, [status, missing]);

  const refresh = useThrottled(reload, EXPERIMENT_REFRESH_MS);
  useAdminEvents((event) => {
    if (event.type === "resync" || api.updatedExperimentId(event) === id) refresh();
  });

  const [acting, setActing] = useState<ExperimentAction | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const act = useCallback(
    async (action: ExperimentAction) => {
      setActing(action);
      setActionError(null);
      try {
        await (action === "stop" ? api.stopExperiment(id) : api.promoteExperiment(id));
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setActing(null);
        reload(); // the answer, or (when it had ended already) how it ended
      }
    },
    [id, reload],
  );

  return { experiment: experiment.data, error: experiment.error, reload, act, acting, actionError };
}
