import { useCallback, useMemo } from "react";
import { listShapes } from "../../api/admin";
import { listDatasets } from "../../api/datasets";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { navigate, useSearch } from "../../router/router";
import { useApiResource } from "../useApiResource";
import { JobCard } from "./JobCard";
import { TrainingForm } from "./TrainingForm";
import { useTrainingJobs } from "./useTrainingJobs";

export const TRAINING_PATH = "/admin/training";

export function TrainingPage() {
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const shapes = useApiResource(loadShapes);
  const loadDatasets = useCallback((signal: AbortSignal) => listDatasets(signal), []);
  const datasets = useApiResource(loadDatasets);
  const datasetNames = useMemo(() => new Map((datasets.data ?? []).map((d) => [d.id, d.name])), [datasets.data]);
  // The snapshot picked is in the URL, so a snapshot's "Train from this snapshot" link picks it.
  const datasetId = new URLSearchParams(useSearch()).get("dataset") ?? "";
  const pickDataset = (id: string) => navigate(id ? `${TRAINING_PATH}?dataset=${encodeURIComponent(id)}` : TRAINING_PATH, { replace: true });
  const training = useTrainingJobs();
  const newestWithCurves = training.jobs.find((job) => job.progress.epochs.length > 0)?.id;

  return (
    <section className="admin-section">
      <h1>Training</h1>
      <ErrorDisplay error={shapes.error} onRetry={shapes.reload} title="The shapes could not be loaded." />
      <ErrorDisplay error={datasets.error} onRetry={datasets.reload} title="The snapshots could not be loaded." />
      <TrainingForm
        shapes={shapes.data ?? []}
        jobs={training.jobs}
        starting={training.starting}
        onStart={(config) => void training.start(config)}
        datasets={datasets.data}
        datasetId={datasetId}
        onDatasetChange={pickDataset}
      />
      {training.notice && (
        <p className="admin-notice" role="status">
          {training.notice}
        </p>
      )}
      <ErrorDisplay error={training.actionError} title="The request did not go through." />

      <h2>Jobs</h2>
      <ErrorDisplay error={training.error} onRetry={training.reload} title="The jobs could not be loaded." />
      {training.jobs.length === 0 && !training.error && <p className="admin-muted">No training job yet.</p>}
      <ul className="job-list">
        {training.jobs.map((job) => (
          <JobCard
            key={job.id}
            job={job}
            open={job.id === newestWithCurves}
            cancelling={training.cancelling.has(job.id)}
            onCancel={(id) => void training.cancel(id)}
            datasetNames={datasetNames}
          />
        ))}
      </ul>
    </section>
  );
}
