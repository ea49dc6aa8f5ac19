import { useCallback, useState } from "react";
import { ApiError, toApiError } from "../../api/client";
import * as api from "../../api/admin";
import { activateModel, listModels } from "../../api/models";
import { rescoreModel } from "../../api/evaluation";
import { useAdminEvents } from "../live/AdminEvents";
import { useApiResource } from "../useApiResource";

const FINISHED = new Set(["completed", "failed", "cancelled"]);
const JOB_POLL_MS = 1000;

/** The model versions, newest first; activation (which is also the roll-back) and
 * re-scoring on the evaluation sets (a job: followed until it ends, then the list reloads). */
export function useModels() {
  const load = useCallback((signal: AbortSignal) => listModels(signal), []);
  const models = useApiResource(load);
  const [activating, setActivating] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const { reload } = models;
  // Live: a model made active elsewhere, or a new one trained, shows without a reload.
  useAdminEvents((event) => {
    const trained = event.type === "job.finished" && event.data.modelId !== null;
    if (event.type === "model.activated" || trained || event.type === "resync") reload();
  });
  const activate = useCallback(
    async (id: string) => {
      setActivating(id);
      setActionError(null);
      try {
        await activateModel(id);
        reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setActivating(null);
      }
    },
    [reload],
  );

  const [rescoring, setRescoring] = useState<string | null>(null);
  const rescore = useCallback(
    async (id: string) => {
      setRescoring(id);
      setActionError(null);
      try {
        let job = await rescoreModel(id);
        while (!FINISHED.has(job.status)) {
          await new Promise((resolve) => window.setTimeout(resolve, JOB_POLL_MS));
          job = await api.fetchTrainingJob(job.id);
        }
        if (job.status !== "completed") {
          setActionError(new ApiError({ status: 0, code: "JOB_FAILED", message: `Re-scoring ${job.status}: ${job.error ?? ""}`, retryable: false }));
        }
        reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setRescoring(null);
      }
    },
    [reload],
  );

  return { models: models.data, error: models.error, reload, activate, activating, rescore, rescoring, actionError };
}
