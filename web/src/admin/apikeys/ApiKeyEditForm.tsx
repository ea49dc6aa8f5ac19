import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { ApiKeyRead, ApiKeyUpdate } from "../../api/apiKeys";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { ApiKeyFields } from "./ApiKeyFields";
import { apiKeySlotOf, problems, readable, updateRequest, valuesOf, type ApiKeyValues } from "./apiKeyForm";

export interface ApiKeyEditFormProps {
  apiKey: ApiKeyRead;
  /** Resolves null when saved, else why not. */
  onSave: (changes: ApiKeyUpdate) => Promise<ApiError | null>;
  onClose: () => void;
}

/** A key's name, limits and origins, changed in place; only what differs is sent. Escape cancels. */
export function ApiKeyEditForm({ apiKey, onSave, onClose }: ApiKeyEditFormProps) {
  const id = useId();
  const [values, setValues] = useState<ApiKeyValues>(() => valuesOf(apiKey));
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const shown = useMemo(() => readable(error), [error]);
  const fields = useFieldErrors({ id, error: shown, slotOf: apiKeySlotOf });
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(problems(values)) || saving) return;
    const changes = updateRequest(apiKey, values);
    if (Object.keys(changes).length === 0) return onClose();
    setSaving(true);
    const refused = await onSave(changes);
    setSaving(false);
    setError(refused);
    if (!refused) onClose();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    }
  };

  return (
    <form
      ref={fields.formRef}
      className="training-form api-key-edit"
      noValidate
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => void submit(e)}
      onKeyDown={onKeyDown}
    >
      <h3 id={`${id}-heading`} ref={heading} tabIndex={-1}>
        Edit “{apiKey.name}”
      </h3>
      <ApiKeyFields id={id} values={values} onChange={(changes) => setValues((v) => ({ ...v, ...changes }))} fields={fields} />
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title={`“${apiKey.name}” was not changed.`} />
      <div className="admin-confirm">
        <button type="submit" className="button button--primary" disabled={saving} aria-busy={saving}>
          Save
        </button>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
