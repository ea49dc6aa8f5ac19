import { useCallback } from "react";
import { listModels } from "../../api/models";
import * as api from "../../api/experiments";
import { navigate } from "../../router/router";
import { useAdminEvents } from "../live/AdminEvents";
import { useThrottled } from "../live/useThrottled";
import { useAdminAction } from "../useAdminAction";
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

  const { run: runCreate, running: creating, error: createError } = useAdminAction();
  const create = useCallback(
    (request: api.ExperimentCreate) =>
      runCreate(async () => {
        const started = await api.startExperiment(request);
        navigate(experimentPath(started.id));
      }),
    [runCreate],
  );

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
