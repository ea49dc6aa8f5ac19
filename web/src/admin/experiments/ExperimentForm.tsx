import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { ModelVersion } from "../../api/admin";
import type { ApiError } from "../../api/client";
import type { ExperimentCreate } from "../../api/experiments";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { formatPercent } from "../charts/scale";
import { fieldErrors, formProblems, initialValues, toRequest, type ErrorSlot, type ExperimentFormValues, type FieldErrors } from "./experimentForm";

export interface ExperimentFormProps {
  models: ModelVersion[];
  /** The model a row's "Start A/B test" named. */
  treatmentModelId?: string;
  creating: boolean;
  /** Why the last try failed. */
  error: ApiError | null;
  /** Resolves true when the experiment started. */
  onCreate: (request: ExperimentCreate) => Promise<boolean>;
}

/** The server's refusal by field, or null when it is not about the input (shown whole). */
function serverErrors(error: ApiError | null): FieldErrors | null {
  if (!error) return null;
  if (error.details.length > 0) return fieldErrors(error.details);
  return error.status === 400 || error.status === 422 ? { form: error.message } : null;
}

export function ExperimentForm({ models, treatmentModelId, creating, error, onCreate }: ExperimentFormProps) {
  const id = useId();
  const [values, setValues] = useState<ExperimentFormValues>(() => initialValues(treatmentModelId));
  const [problems, setProblems] = useState<FieldErrors>({});
  const set = (changes: Partial<ExperimentFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const fromServer = serverErrors(error);
  const errors: FieldErrors = { ...fromServer, ...problems };
  const control = models.find((model) => model.active);
  const candidates = models.filter((model) => !model.active);
  const form = useRef<HTMLFormElement>(null);

  // After a refused try, the first field at fault takes the focus.
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (tries > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [tries, error]);

  const errorId = (slot: ErrorSlot) => `${id}-${slot}-error`;
  const invalid = (slot: ErrorSlot, hint?: string) => {
    const described = [errors[slot] ? errorId(slot) : null, hint].filter(Boolean).join(" ");
    return { "aria-invalid": errors[slot] ? (true as const) : undefined, "aria-describedby": described || undefined };
  };
  const message = (slot: ErrorSlot): ReactNode =>
    errors[slot] && (
      <span id={errorId(slot)} className="admin-field__error">
        {errors[slot]}
      </span>
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = formProblems(values);
    setProblems(fieldErrors(found));
    setTries((n) => n + 1);
    if (found.length > 0 || creating) return;
    await onCreate(toRequest(values));
  };

  return (
    <form ref={form} className="training-form experiment-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h2 id={`${id}-heading`}>New experiment</h2>
      <p className="admin-muted" id={`${id}-control`}>
        {control ? `Control: v${control.version} (${formatPercent(control.accuracy)}), the active model.` : "No model is active: activate one to compare against."}
      </p>
      <div className="admin-field experiment-form__name">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={values.name} maxLength={80} placeholder="v2 against v1" {...invalid("name")} onChange={(e) => set({ name: e.target.value })} />
        {message("name")}
      </div>
      <div className="training-form__row">
        <div className="admin-field">
          <label htmlFor={`${id}-treatment`}>Treatment</label>
          <select id={`${id}-treatment`} value={values.treatmentModelId} {...invalid("treatmentModelId", `${id}-control`)} onChange={(e) => set({ treatmentModelId: e.target.value })}>
            <option value="">Choose a model…</option>
            {candidates.map((model) => (
              <option key={model.id} value={model.id}>
                v{model.version} · {formatPercent(model.accuracy)}
              </option>
            ))}
          </select>
          {message("treatmentModelId")}
        </div>
        <div className="admin-field admin-field--narrow">
          <label htmlFor={`${id}-share`}>Treatment's share of traffic (%)</label>
          <input id={`${id}-share`} type="number" min={1} max={99} step={1} inputMode="numeric" value={values.sharePercent} {...invalid("share")} onChange={(e) => set({ sharePercent: e.target.value })} />
          {message("share")}
        </div>
        <div className="admin-field admin-field--narrow">
          <label htmlFor={`${id}-effect`}>Minimum effect (points)</label>
          <input
            id={`${id}-effect`}
            type="number"
            min={0.5}
            max={50}
            step={0.5}
            inputMode="decimal"
            title="The smallest accuracy difference worth finding; a smaller one needs more labels"
            value={values.minimumEffectPoints}
            {...invalid("minimumEffect")}
            onChange={(e) => set({ minimumEffectPoints: e.target.value })}
          />
          {message("minimumEffect")}
        </div>
      </div>
      {errors.form && (
        <p className="admin-hint admin-hint--warn" role="alert">
          {errors.form}
        </p>
      )}
      <ErrorDisplay error={fromServer ? null : error} title="The experiment was not started." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Start experiment
      </button>
    </form>
  );
}
