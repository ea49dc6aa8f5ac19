import { useId, useState, type FormEvent } from "react";
import type { AdminShape } from "../../api/admin";
import type { ApiError } from "../../api/client";
import type { DatasetCreate } from "../../api/datasets";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { FILTER_HELP } from "../training/trainingConfig";
import { EMPTY_SNAPSHOT_FORM, SOURCES, THRESHOLDS, formProblems, slotOf, toRequest, toggled, type SnapshotFormValues } from "./snapshotForm";

export interface SnapshotFormProps {
  /** The catalogue; ticking none means "all active shapes". */
  shapes: AdminShape[];
  creating: boolean;
  /** Why the last try failed. */
  error: ApiError | null;
  /** Resolves true when the snapshot was made; the form is emptied then. */
  onCreate: (request: DatasetCreate) => Promise<boolean>;
}

/** Refusals that are about one field without naming it. */
const CODES = { DATASET_NAME_TAKEN: "name" } as const;

export function SnapshotForm({ shapes, creating, error, onCreate }: SnapshotFormProps) {
  const id = useId();
  const [values, setValues] = useState<SnapshotFormValues>(EMPTY_SNAPSHOT_FORM);
  const set = (changes: Partial<SnapshotFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const fields = useFieldErrors({ id, error, slotOf, codes: CODES });
  const { invalid, described, message } = fields;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(formProblems(values)) || creating) return;
    if (await onCreate(toRequest(values))) setValues(EMPTY_SNAPSHOT_FORM);
  };

  return (
    <form ref={fields.formRef} className="training-form snapshot-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h2 id={`${id}-heading`}>New snapshot</h2>
      <div className="admin-field snapshot-form__name">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={values.name}
          maxLength={80}
          placeholder="spring-2027"
          {...invalid("name")}
          onChange={(e) => set({ name: e.target.value })}
        />
        {message("name")}
      </div>
      <div className="training-form__row">
        {THRESHOLDS.map(({ key, label, placeholder }) => (
          <div key={key} className="admin-field admin-field--narrow">
            <label htmlFor={`${id}-${key}`}>{label}</label>
            <input
              id={`${id}-${key}`}
              inputMode="decimal"
              placeholder={placeholder}
              title={key === "minQuality" ? "Leave out drawings of a lower quality score (0–1)" : FILTER_HELP[key]}
              value={values[key]}
              {...invalid(key)}
              onChange={(e) => set({ [key]: e.target.value })}
            />
            {message(key)}
          </div>
        ))}
      </div>
      <fieldset className="training-form__shapes" {...described("sources")}>
        <legend>Sources {values.sources.length === 0 ? "(none ticked: every source)" : `(${values.sources.length} ticked)`}</legend>
        {SOURCES.map((source) => (
          <label key={source.id} className="admin-check">
            <input type="checkbox" checked={values.sources.includes(source.id)} onChange={() => set({ sources: toggled(values.sources, source.id) })} />
            {source.label}
          </label>
        ))}
        {message("sources")}
      </fieldset>
      <fieldset className="training-form__shapes" {...described("shapes")}>
        <legend>Shapes {values.shapes.length === 0 ? "(none ticked: all active shapes)" : `(${values.shapes.length} ticked)`}</legend>
        {shapes.map((shape) => (
          <label key={shape.id} className="admin-check">
            <input type="checkbox" checked={values.shapes.includes(shape.id)} onChange={() => set({ shapes: toggled(values.shapes, shape.id) })} />
            {shape.name}
            {!shape.active && " (inactive)"}
          </label>
        ))}
        {message("shapes")}
      </fieldset>
      <div className="training-form__row">
        <label className="admin-check">
          <input type="checkbox" checked={values.includeSynthetic} {...invalid("includeSynthetic")} onChange={(e) => set({ includeSynthetic: e.target.checked })} />
          Include synthetic drawings
        </label>
        {message("includeSynthetic")}
        <label className="admin-check">
          <input type="checkbox" checked={values.includeFlagged} {...invalid("includeFlagged")} onChange={(e) => set({ includeFlagged: e.target.checked })} />
          Include flagged drawings
        </label>
        {message("includeFlagged")}
      </div>
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title="The snapshot was not made." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Make snapshot
      </button>
    </form>
  );
}
