import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { deleteDataset, fetchDataset } from "../../api/datasets";
import { useApiResource } from "../useApiResource";

export const IN_USE = "DATASET_IN_USE";

/** One snapshot with its datasheet, and its deletion: refused while a model trained on it
 * exists (`inUse`), unless forced. */
export function useDatasetDetail(id: string) {
  const load = useCallback((signal: AbortSignal) => fetchDataset(id, signal), [id]);
  const dataset = useApiResource(load);
  const [deleting, setDeleting] = useState(false);
  const [deleted, setDeleted] = useState(false);
  const [inUse, setInUse] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const remove = useCallback(
    async (force: boolean) => {
      setDeleting(true);
      setActionError(null);
      setInUse(null);
      try {
        await deleteDataset(id, force);
        setDeleted(true);
      } catch (reason) {
        const error = toApiError(reason);
        if (error.code === IN_USE) setInUse(error);
        else setActionError(error);
      } finally {
        setDeleting(false);
      }
    },
    [id],
  );

  const dismiss = useCallback(() => setInUse(null), []);

  return { ...dataset, dataset: dataset.data, remove, deleting, deleted, inUse, dismiss, actionError };
}
