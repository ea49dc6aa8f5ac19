import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/admin";
import { useApiResource } from "../useApiResource";

/** The model versions, newest first, and activation (which is also the roll-back). */
export function useModels() {
  const load = useCallback((signal: AbortSignal) => api.listModels(signal), []);
  const models = useApiResource(load);
  const [activating, setActivating] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const { reload } = models;
  const activate = useCallback(
    async (id: string) => {
      setActivating(id);
      setActionError(null);
      try {
        await api.activateModel(id);
        reload();
      } catch (reason) {
        setActionError(toApiError(reason));
      } finally {
        setActivating(null);
      }
    },
    [reload],
  );

  return { models: models.data, error: models.error, reload, activate, activating, actionError };
}
