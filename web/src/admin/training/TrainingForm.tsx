import { useId, useState, type FormEvent } from "react";
import type { AdminShape, TrainingJob } from "../../api/admin";
import type { DatasetRead } from "../../api/datasets";
import { TrainingFilters } from "./TrainingFilters";
import {
  DEFAULT_FORM,
  formProblem,
  runningJobWithConfig,
  toRequest,
  type TrainingFormValues,
  type TrainingRequest,
} from "./trainingConfig";

export interface TrainingFormProps {
  /** The catalogue; unchecking every shape means "all active shapes". */
  shapes: AdminShape[];
  jobs: TrainingJob[];
  starting: boolean;
  onStart: (config: TrainingRequest) => void;
  /** The snapshots one may train on in place of the filters. */
  datasets?: DatasetRead[];
  /** The snapshot picked; empty: the filters choose the drawings. */
  datasetId?: string;
  onDatasetChange?: (id: string) => void;
}

function SnapshotChoice({ datasets, datasetId, onChange }: { datasets: DatasetRead[]; datasetId: string; onChange: (id: string) => void }) {
  const picked = datasets.find((dataset) => dataset.id === datasetId);
  const hintId = useId();
  return (
    <div className="training-form__row">
      <label className="admin-field">
        <span>Train from snapshot</span>
        <select value={datasetId} aria-describedby={datasetId ? hintId : undefined} onChange={(e) => onChange(e.target.value)}>
          <option value="">None: the filters below choose the drawings</option>
          {datasetId && !picked && <option value={datasetId}>Snapshot {datasetId.slice(0, 8)}</option>}
          {datasets.map((dataset) => (
            <option key={dataset.id} value={dataset.id}>
              {dataset.name} ({dataset.drawings.toLocaleString()} drawings{dataset.implicit ? ", made by a training job" : ""})
            </option>
          ))}
        </select>
      </label>
      {datasetId && (
        <p id={hintId} className="admin-hint">
          {picked
            ? `Trains on the ${picked.drawings.toLocaleString()} drawings of ${Object.keys(picked.perShape).length} shapes frozen in “${picked.name}”, in place of the filters.`
            : "Trains on the drawings frozen in the snapshot, in place of the filters."}
        </p>
      )}
    </div>
  );
}

export function TrainingForm({ shapes, jobs, starting, onStart, datasets = [], datasetId = "", onDatasetChange }: TrainingFormProps) {
  const [values, setValues] = useState<TrainingFormValues>(DEFAULT_FORM);
  const set = (changes: Partial<TrainingFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const activeShapes = shapes.filter((shape) => shape.active).map((shape) => shape.id);
  const picked = datasets.find((dataset) => dataset.id === datasetId);
  const snapshot = datasetId ? { shapes: picked && Object.keys(picked.perShape).length } : undefined;
  const problem = formProblem(values, activeShapes, snapshot);
  const request = toRequest(values, datasetId);
  const running = problem ? undefined : runningJobWithConfig(jobs, request, activeShapes);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!problem && !running && !starting) onStart(request);
  };

  return (
    <form className="training-form" onSubmit={submit} aria-label="Training configuration">
      {onDatasetChange && (datasets.length > 0 || datasetId) && (
        <SnapshotChoice datasets={datasets} datasetId={datasetId} onChange={onDatasetChange} />
      )}
      <div className="training-form__row">
        <label className="admin-field admin-field--narrow">
          <span>Epochs</span>
          <input
            type="number"
            min={1}
            max={100}
            step={1}
            required
            value={Number.isNaN(values.epochs) ? "" : values.epochs}
            onChange={(e) => set({ epochs: e.target.valueAsNumber })}
          />
        </label>
        <label className="admin-field admin-field--narrow">
          <span>Seed</span>
          <input inputMode="numeric" placeholder="random" value={values.seed} onChange={(e) => set({ seed: e.target.value })} />
        </label>
        <label className="admin-check">
          <input type="checkbox" checked={values.activate} onChange={(e) => set({ activate: e.target.checked })} />
          Activate the model when trained
        </label>
      </div>
      {!datasetId && <TrainingFilters shapes={shapes} values={values} onChange={set} />}
      {problem && <p className="admin-hint admin-hint--warn">{problem}</p>}
      {running && (
        <p className="admin-hint" role="status">
          A job with this config is already {running.status}; wait for it or cancel it below.
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={Boolean(problem) || Boolean(running) || starting} aria-busy={starting}>
        Start training
      </button>
    </form>
  );
}
