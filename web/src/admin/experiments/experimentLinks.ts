// Where experiments are shown: the list (with the form to start one) and one experiment.

export const EXPERIMENTS_PATH = "/admin/experiments";

/** The list, its form set to test `treatmentModelId` (from a model's row). */
export const newExperimentPath = (treatmentModelId: string) => `${EXPERIMENTS_PATH}?treatment=${encodeURIComponent(treatmentModelId)}`;

export const experimentPath = (id: string) => `${EXPERIMENTS_PATH}/${encodeURIComponent(id)}`;
