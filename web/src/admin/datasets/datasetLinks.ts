// Where a snapshot is shown: the Datasets page lists them, each has a page of its own.

export const DATASETS_PATH = "/admin/datasets";

export const datasetPath = (id: string) => `${DATASETS_PATH}/${encodeURIComponent(id)}`;

/** The Training page with a snapshot picked in place of the filters. */
export const trainFromDatasetPath = (id: string) => `/admin/training?dataset=${encodeURIComponent(id)}`;
