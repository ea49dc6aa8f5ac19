import { useId, useState, type FormEvent } from "react";
import type { ModelVersion } from "../../api/models";
import type { ApiError } from "../../api/client";
import type { ExperimentCreate } from "../../api/experiments";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { formatPercent } from "../charts/scale";
import { useFieldErrors } from "../forms/useFieldErrors";
import { formProblems, initialValues, slotOf, toRequest, type ExperimentFormValues } from "./experimentForm";

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

export function ExperimentForm({ models, treatmentModelId, creating, error, onCreate }: ExperimentFormProps) {
  const id = useId();
  const [values, setValues] = useState<ExperimentFormValues>(() => initialValues(treatmentModelId));
  const set = (changes: Partial<ExperimentFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const fields = useFieldErrors({ id, error, slotOf });
  const { invalid, message } = fields;
  const control = models.find((model) => model.active);
  const candidates = models.filter((model) => !model.active);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(formProblems(values)) || creating) return;
    await onCreate(toRequest(values));
  };

  return (
    <form ref={fields.formRef} className="training-form experiment-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
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
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title="The experiment was not started." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Start experiment
      </button>
    </form>
  );
}
