import { useCallback, useState } from "react";
import { listModels } from "../../api/admin";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/experiments";
import { navigate } from "../../router/router";
import { useAdminEvents } from "../live/AdminEvents";
import { useThrottled } from "../live/useThrottled";
import { useApiResource } from "../useApiResource";
import { experimentPath } from "./experimentLinks";
import { EXPERIMENT_REFRESH_MS } from "./useExperiment";

/** The experiments, newest first, and the models one may test; both read again on their live
 * events. Starting one opens its page. */
export function useExperiments() {
  const loadExperiments = useCallback((signal: AbortSignal) => api.listExperiments(signal), []);
  const experiments = useApiResource(loadExperiments);
  const loadModels = useCallback((signal: AbortSignal) => listModels(signal), []);
  const models = useApiResource(loadModels);

  const refresh = useThrottled(experiments.reload, EXPERIMENT_REFRESH_MS);
  const reloadModels = models.reload;
  useAdminEvents((event) => {
    if (event.type === "resync" || api.updatedExperimentId(event) !== null) refresh();
    const trained = event.type === "job.finished" && event.data.modelId !== null;
    if (event.type === "resync" || event.type === "model.activated" || trained) reloadModels();
  });

  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<ApiError | null>(null);
  const create = useCallback(async (request: api.ExperimentCreate) => {
    setCreating(true);
    setCreateError(null);
    try {
      const started = await api.startExperiment(request);
      navigate(experimentPath(started.id));
      return true;
    } catch (reason) {
      setCreateError(toApiError(reason));
      return false;
    } finally {
      setCreating(false);
    }
  }, []);

  return {
    experiments: experiments.data,
    error: experiments.error,
    reload: experiments.reload,
    models: models.data,
    modelsError: models.error,
    reloadModels,
    create,
    creating,
    createError,
  };
}
