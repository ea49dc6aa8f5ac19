import { useState, type FormEvent } from "react";
import type { AdminShape, TrainingConfig, TrainingJob } from "../../api/admin";
import {
  DEFAULT_FORM,
  OPTIONAL_FILTERS,
  formProblem,
  runningJobWithConfig,
  toRequest,
  type TrainingFormValues,
} from "./trainingConfig";

const FILTER_HELP: Record<(typeof OPTIONAL_FILTERS)[number]["key"], string> = {
  minAgreement:
    "Leave out drawings the model gave less than this probability of their shape (0–1); drawings no model scored stay in",
  minConsensus:
    "Leave out drawings the players' votes say are less likely than this to be their shape (0–1); drawings nobody judged stay in",
  minTrust:
    "Leave out drawings by contributors trusted less than this (0–1); contributors not judged yet stay in",
};

export interface TrainingFormProps {
  /** The catalogue; unchecking every shape means "all active shapes". */
  shapes: AdminShape[];
  jobs: TrainingJob[];
  starting: boolean;
  onStart: (config: TrainingConfig) => void;
}

export function TrainingForm({ shapes, jobs, starting, onStart }: TrainingFormProps) {
  const [values, setValues] = useState<TrainingFormValues>(DEFAULT_FORM);
  const set = (changes: Partial<TrainingFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const activeShapes = shapes.filter((shape) => shape.active).map((shape) => shape.id);
  const problem = formProblem(values, activeShapes);
  const request = toRequest(values);
  const running = problem ? undefined : runningJobWithConfig(jobs, request, activeShapes);

  const toggleShape = (id: string) =>
    set({ shapes: values.shapes.includes(id) ? values.shapes.filter((s) => s !== id) : [...values.shapes, id] });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!problem && !running && !starting) onStart(request);
  };

  return (
    <form className="training-form" onSubmit={submit} aria-label="Training configuration">
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
          <span>Minimum quality</span>
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={Number.isNaN(values.minQuality) ? "" : values.minQuality}
            onChange={(e) => set({ minQuality: e.target.valueAsNumber })}
          />
        </label>
        {OPTIONAL_FILTERS.map(({ key, label }) => (
          <label key={key} className="admin-field admin-field--narrow">
            <span>{label}</span>
            <input
              inputMode="decimal"
              placeholder="any"
              title={FILTER_HELP[key]}
              value={values[key]}
              onChange={(e) => set({ [key]: e.target.value })}
            />
          </label>
        ))}
        <label className="admin-field admin-field--narrow">
          <span>Seed</span>
          <input inputMode="numeric" placeholder="random" value={values.seed} onChange={(e) => set({ seed: e.target.value })} />
        </label>
      </div>
      <div className="training-form__row">
        <label className="admin-check">
          <input type="checkbox" checked={values.includeSynthetic} onChange={(e) => set({ includeSynthetic: e.target.checked })} />
          Include synthetic drawings
        </label>
        <label className="admin-check">
          <input type="checkbox" checked={values.includeFlagged} onChange={(e) => set({ includeFlagged: e.target.checked })} />
          Include flagged drawings
        </label>
        <label className="admin-check">
          <input type="checkbox" checked={values.activate} onChange={(e) => set({ activate: e.target.checked })} />
          Activate the model when trained
        </label>
      </div>
      <fieldset className="training-form__shapes">
        <legend>Shapes {values.shapes.length === 0 ? "(none ticked: all active shapes)" : `(${values.shapes.length} ticked)`}</legend>
        {shapes.map((shape) => (
          <label key={shape.id} className="admin-check">
            <input type="checkbox" checked={values.shapes.includes(shape.id)} onChange={() => toggleShape(shape.id)} />
            {shape.name}
            {!shape.active && " (inactive)"}
          </label>
        ))}
      </fieldset>
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
