import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { AdminShape } from "../../api/admin";
import type { ApiError } from "../../api/client";
import type { DatasetCreate } from "../../api/datasets";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { FILTER_HELP } from "../training/trainingConfig";
import {
  EMPTY_SNAPSHOT_FORM,
  SOURCES,
  THRESHOLDS,
  fieldErrors,
  formProblems,
  toRequest,
  toggled,
  type ErrorSlot,
  type FieldErrors,
  type SnapshotFormValues,
} from "./snapshotForm";

export interface SnapshotFormProps {
  /** The catalogue; ticking none means "all active shapes". */
  shapes: AdminShape[];
  creating: boolean;
  /** Why the last try failed. */
  error: ApiError | null;
  /** Resolves true when the snapshot was made; the form is emptied then. */
  onCreate: (request: DatasetCreate) => Promise<boolean>;
}

/** The server's refusal by field, or null when it is not about the input (shown whole). */
function serverErrors(error: ApiError | null): FieldErrors | null {
  if (!error) return null;
  if (error.code === "DATASET_NAME_TAKEN") return { name: error.message };
  if (error.details.length > 0) return fieldErrors(error.details);
  return error.status === 400 || error.status === 422 ? { form: error.message } : null;
}

export function SnapshotForm({ shapes, creating, error, onCreate }: SnapshotFormProps) {
  const id = useId();
  const [values, setValues] = useState<SnapshotFormValues>(EMPTY_SNAPSHOT_FORM);
  const [problems, setProblems] = useState<FieldErrors>({});
  const set = (changes: Partial<SnapshotFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const fromServer = serverErrors(error);
  const errors: FieldErrors = { ...fromServer, ...problems };
  const form = useRef<HTMLFormElement>(null);

  // After a refused try, the first field at fault takes the focus.
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (tries > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [tries, error]);

  const errorId = (slot: ErrorSlot) => `${id}-${slot}-error`;
  const invalid = (slot: ErrorSlot) =>
    errors[slot] ? { "aria-invalid": true as const, "aria-describedby": errorId(slot) } : {};
  // A group cannot be invalid in ARIA; its message describes it.
  const described = (slot: ErrorSlot) => (errors[slot] ? { "aria-describedby": errorId(slot) } : {});
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
    if (await onCreate(toRequest(values))) setValues(EMPTY_SNAPSHOT_FORM);
  };

  return (
    <form ref={form} className="training-form snapshot-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
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
      {errors.form && (
        <p className="admin-hint admin-hint--warn" role="alert">
          {errors.form}
        </p>
      )}
      <ErrorDisplay error={fromServer ? null : error} title="The snapshot was not made." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Make snapshot
      </button>
    </form>
  );
}
