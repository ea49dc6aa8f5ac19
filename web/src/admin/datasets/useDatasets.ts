import { useCallback, useState } from "react";
import { createDataset, listDatasets, type DatasetCreate, type DatasetRead } from "../../api/datasets";
import { useAdminAction } from "../useAdminAction";
import { useApiResource } from "../useApiResource";

/** The snapshots, newest first, and the making of a new one. */
export function useDatasets() {
  const load = useCallback((signal: AbortSignal) => listDatasets(signal), []);
  const datasets = useApiResource(load);
  const { run: runCreate, running: creating, error: createError } = useAdminAction();
  const [created, setCreated] = useState<DatasetRead | null>(null);

  const { reload } = datasets;
  /** True when the snapshot was made. */
  const create = useCallback(
    (request: DatasetCreate): Promise<boolean> => {
      setCreated(null);
      return runCreate(async () => {
        setCreated(await createDataset(request));
        reload();
      });
    },
    [reload, runCreate],
  );

  // The new snapshot is shown at once, before the list that holds it arrives.
  const listed = datasets.data;
  const items = created && listed && !listed.some((d) => d.id === created.id) ? [created, ...listed] : listed;

  return { datasets: items, error: datasets.error, reload, create, creating, createError, created };
}
