import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { createDataset, listDatasets, type DatasetCreate, type DatasetRead } from "../../api/datasets";
import { useApiResource } from "../useApiResource";

/** The snapshots, newest first, and the making of a new one. */
export function useDatasets() {
  const load = useCallback((signal: AbortSignal) => listDatasets(signal), []);
  const datasets = useApiResource(load);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<DatasetRead | null>(null);

  const { reload } = datasets;
  /** True when the snapshot was made. */
  const create = useCallback(
    async (request: DatasetCreate): Promise<boolean> => {
      setCreating(true);
      setCreateError(null);
      setCreated(null);
      try {
        setCreated(await createDataset(request));
        reload();
        return true;
      } catch (reason) {
        setCreateError(toApiError(reason));
        return false;
      } finally {
        setCreating(false);
      }
    },
    [reload],
  );

  // The new snapshot is shown at once, before the list that holds it arrives.
  const listed = datasets.data;
  const items = created && listed && !listed.some((d) => d.id === created.id) ? [created, ...listed] : listed;

  return { datasets: items, error: datasets.error, reload, create, creating, createError, created };
}
