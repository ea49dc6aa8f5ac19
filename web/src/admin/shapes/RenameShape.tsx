import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { AdminShape } from "../../api/admin";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { nameProblems, shapeSlotOf, SHAPE_NAME_MAX } from "./shapeForm";

export interface RenameShapeProps {
  shape: AdminShape;
  /** Another change to this shape is on its way. */
  busy: boolean;
  /** Resolves null when renamed, else why not. */
  onRename: (name: string) => Promise<ApiError | null>;
}

/** The shape's name, and a Rename button that turns it into a field in place; Escape cancels. */
export function RenameShape({ shape, busy, onRename }: RenameShapeProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(shape.name);
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const fields = useFieldErrors({ id, error, slotOf: shapeSlotOf });
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // The field takes the focus when it opens, and gives it back to Rename when it closes.
  useEffect(() => {
    if (editing) input.current?.focus();
    else if (wasEditing.current) button.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const open = () => {
    setValue(shape.name);
    setError(null);
    fields.check([]);
    setEditing(true);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = value.trim();
    if (!fields.check(nameProblems(name)) || saving) return;
    if (name === shape.name) return setEditing(false);
    setSaving(true);
    const refused = await onRename(name);
    setSaving(false);
    setError(refused);
    if (!refused) setEditing(false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      setEditing(false);
    }
  };

  if (!editing) {
    return (
      <span className="admin-confirm">
        <span>{shape.name}</span>
        <button ref={button} type="button" className="button button--quiet" disabled={busy} onClick={open}>
          Rename <span className="visually-hidden">{shape.name}</span>
        </button>
      </span>
    );
  }
  return (
    <form ref={fields.formRef} className="admin-confirm" noValidate aria-label={`Rename ${shape.name}`} onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown}>
      <span className="admin-field">
        <label htmlFor={`${id}-name`} className="visually-hidden">
          New name for {shape.name}
        </label>
        <input
          ref={input}
          id={`${id}-name`}
          value={value}
          maxLength={SHAPE_NAME_MAX}
          {...fields.invalid("name")}
          onChange={(e) => setValue(e.target.value)}
        />
        {fields.message("name")}
      </span>
      <button type="submit" className="button button--primary" disabled={saving} aria-busy={saving}>
        Save
      </button>
      <button type="button" className="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title={`${shape.name} was not renamed.`} />
    </form>
  );
}
