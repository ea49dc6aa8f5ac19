import { useCallback } from "react";
import { listShapes } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useApiResource } from "../useApiResource";
import { JobCard } from "./JobCard";
import { TrainingForm } from "./TrainingForm";
import { useTrainingJobs } from "./useTrainingJobs";

export function TrainingPage() {
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const shapes = useApiResource(loadShapes);
  const training = useTrainingJobs();
  const newestWithCurves = training.jobs.find((job) => job.progress.epochs.length > 0)?.id;

  return (
    <section className="admin-section">
      <h1>Training</h1>
      <ErrorDisplay error={shapes.error} onRetry={shapes.reload} title="The shapes could not be loaded." />
      <TrainingForm shapes={shapes.data ?? []} jobs={training.jobs} starting={training.starting} onStart={(config) => void training.start(config)} />
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
          <JobCard key={job.id} job={job} open={job.id === newestWithCurves} cancelling={training.cancelling.has(job.id)} onCancel={(id) => void training.cancel(id)} />
        ))}
      </ul>
    </section>
  );
}
