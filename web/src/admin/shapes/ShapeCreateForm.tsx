import { useId, useState, type FormEvent } from "react";
import type { ShapeCreate } from "../../api/admin";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { createProblems, shapeSlotOf, SHAPE_NAME_MAX } from "./shapeForm";

export interface ShapeCreateFormProps {
  creating: boolean;
  /** Why the last try failed. */
  error: ApiError | null;
  /** Resolves true when the shape was added; the form is emptied then. */
  onCreate: (request: ShapeCreate) => Promise<boolean>;
}

const EMPTY = { id: "", name: "", closed: false };

/** A new shape: its id (for good), its name, and whether its outline is closed. */
export function ShapeCreateForm({ creating, error, onCreate }: ShapeCreateFormProps) {
  const id = useId();
  const [values, setValues] = useState(EMPTY);
  const set = (changes: Partial<typeof EMPTY>) => setValues((current) => ({ ...current, ...changes }));
  const fields = useFieldErrors({ id, error, slotOf: shapeSlotOf });
  const { invalid, message } = fields;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(createProblems(values)) || creating) return;
    const request = { id: values.id.trim(), name: values.name.trim(), closed: values.closed };
    if (await onCreate(request)) setValues(EMPTY);
  };

  return (
    <form ref={fields.formRef} className="training-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h2 id={`${id}-heading`}>New shape</h2>
      <div className="training-form__row">
        <div className="admin-field">
          <label htmlFor={`${id}-id`}>Id</label>
          <input
            id={`${id}-id`}
            value={values.id}
            maxLength={40}
            placeholder="star"
            autoCapitalize="none"
            spellCheck={false}
            {...invalid("id", `${id}-id-hint`)}
            onChange={(e) => set({ id: e.target.value })}
          />
          <span id={`${id}-id-hint`} className="admin-muted">
            Labels exports and datasets; it cannot change later.
          </span>
          {message("id")}
        </div>
        <div className="admin-field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={values.name}
            maxLength={SHAPE_NAME_MAX}
            placeholder="Star"
            {...invalid("name")}
            onChange={(e) => set({ name: e.target.value })}
          />
          {message("name")}
        </div>
        <label className="admin-check">
          <input type="checkbox" checked={values.closed} {...invalid("closed")} onChange={(e) => set({ closed: e.target.checked })} />
          Closed outline
        </label>
        {message("closed")}
      </div>
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title="The shape was not added." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Add shape
      </button>
    </form>
  );
}
