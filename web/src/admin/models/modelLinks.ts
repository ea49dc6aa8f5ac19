// Where a model is shown: the Models page with its row picked, e.g. from a training job.

export const MODELS_PATH = "/admin/models";

/** The Models page showing one model's row and details. */
export const modelPath = (id: string) => `${MODELS_PATH}?model=${encodeURIComponent(id)}`;

/** The element id of a model's row, for scrolling to it. */
export const modelRowId = (id: string) => `model-${id}`;
