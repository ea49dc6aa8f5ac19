import { useState } from "react";
import type { TrainingJob } from "../../api/admin";
import { Link } from "../../router/router";
import { formatPercent } from "../charts/scale";
import { datasetPath } from "../datasets/datasetLinks";
import { modelPath } from "../models/modelLinks";
import { EpochCharts } from "./EpochCharts";
import { isActiveJob, jobDatasetId } from "./trainingConfig";

export interface JobCardProps {
  job: TrainingJob;
  cancelling: boolean;
  onCancel: (id: string) => void;
  /** Show the curves at first without a click. */
  open?: boolean;
  /** Snapshot id → name, to name the snapshot a job trained on. */
  datasetNames?: ReadonlyMap<string, string>;
}

function configSummary(job: TrainingJob): string {
  const c = job.config;
  const parts = [`${c.epochs} epoch${c.epochs === 1 ? "" : "s"}`];
  // A job given a snapshot may carry no filters: the snapshot chose the drawings.
  if (Array.isArray(c.shapes)) {
    parts.push(
      `${c.shapes.length} shapes`,
      `quality ≥ ${c.minQuality}`,
      ...(c.minAgreement != null ? [`agreement ≥ ${c.minAgreement}`] : []),
      ...(c.minConsensus != null ? [`consensus ≥ ${c.minConsensus}`] : []),
      ...(c.minTrust != null ? [`trust ≥ ${c.minTrust}`] : []),
      c.includeSynthetic ? "with synthetic" : "no synthetic",
      c.includeFlagged ? "with flagged" : "no flagged",
    );
  }
  parts.push(c.seed === null || c.seed === undefined ? "random seed" : `seed ${c.seed}`);
  if (c.activate) parts.push("activates");
  return parts.join(" · ");
}

export function JobCard({ job, cancelling, onCancel, open = false, datasetNames }: JobCardProps) {
  const datasetId = jobDatasetId(job);
  const epochs = job.progress.epochs;
  const last = epochs[epochs.length - 1];
  const done = epochs.length / Math.max(job.config.epochs, 1);
  const active = isActiveJob(job);
  const [curvesOpen, setCurvesOpen] = useState(open || active);
  return (
    <li className="job-card">
      <div className="job-card__head">
        <span className={`admin-badge admin-badge--${job.status}`}>{job.status}</span>
        <span className="admin-muted" title={job.id}>
          {new Date(job.createdAt).toLocaleString()}
        </span>
        {active && !job.progress.cancelRequested && (
          <button type="button" className="button" disabled={cancelling} onClick={() => onCancel(job.id)} aria-label="Cancel">
            Cancel
          </button>
        )}
        {job.progress.cancelRequested && active && <span className="admin-muted">Stopping after this epoch…</span>}
      </div>
      <p className="job-card__config">
        {datasetId && (
          <>
            Snapshot <Link to={datasetPath(datasetId)}>{datasetNames?.get(datasetId) ?? datasetId.slice(0, 8)}</Link> ·{" "}
          </>
        )}
        {configSummary(job)}
      </p>
      <div
        className="bar"
        role="progressbar"
        aria-label="Epochs done"
        aria-valuemin={0}
        aria-valuemax={job.config.epochs}
        aria-valuenow={epochs.length}
      >
        <span className="bar__fill" style={{ width: `${Math.min(1, done) * 100}%` }} />
      </div>
      <p className="job-card__progress">
        Epoch {epochs.length} of {job.config.epochs}
        {last && ` · loss ${last.loss.toFixed(3)} · train ${formatPercent(last.trainAccuracy)} · validation ${formatPercent(last.validationAccuracy)}`}
      </p>
      {job.error && <p className="admin-hint admin-hint--warn">{job.error}</p>}
      {job.progress.notActivated && (
        <p className="admin-hint admin-hint--warn">Not made active: {job.progress.notActivated}</p>
      )}
      {job.modelId && (
        <p>
          <Link to={modelPath(job.modelId)}>Trained model</Link>
        </p>
      )}
      {epochs.length > 0 && (
        <details open={curvesOpen} onToggle={(e) => setCurvesOpen(e.currentTarget.open)}>
          <summary>Loss and accuracy curves</summary>
          <EpochCharts epochs={epochs} />
        </details>
      )}
    </li>
  );
}
