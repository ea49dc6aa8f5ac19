// Experiments and models as the API sends them, for the tests.
import type { ModelVersion } from "../../api/models";
import type { Experiment } from "../../api/experiments";

export const model = (version: number, active: boolean, accuracy = 0.9): ModelVersion => ({
  id: `m${version}`, version, jobId: null, classes: ["circle", "square"], accuracy, metrics: {}, datasetSize: 100,
  datasetHash: "h", active, createdAt: "2027-03-01T00:00:00Z", activatedAt: null, evaluations: [],
});

export function experiment(changes: Partial<Experiment> = {}): Experiment {
  return {
    id: "e1",
    name: "v2 against v1",
    status: "running",
    share: 0.5,
    startedAt: "2027-03-01T10:00:00Z",
    endedAt: null,
    arms: [
      { arm: "control", modelId: "m1", modelVersion: 1, requests: 640, labelled: 330, correct: 297, accuracy: 0.9, interval: { low: 0.864, high: 0.928 }, latencyP50Ms: 12, latencyP95Ms: 30.4 },
      { arm: "treatment", modelId: "m2", modelVersion: 2, requests: 655, labelled: 312, correct: 290, accuracy: 0.93, interval: { low: 0.897, high: 0.953 }, latencyP50Ms: 14, latencyP95Ms: 41 },
    ],
    comparison: {
      difference: 0.03,
      interval: { low: -0.012, high: 0.071 },
      pValue: 0.162,
      decision: "keep running",
      plannedLabelsPerArm: 1700,
      method: "mSPRT (normal mixture), unpaired",
      paired: false,
    },
    paired: { drawings: 120, bothRight: 100, controlOnly: 4, treatmentOnly: 9, bothWrong: 7 },
    ...changes,
  };
}
