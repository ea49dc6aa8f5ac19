import { useId, useMemo, useState, type FormEvent } from "react";
import type { ApiKeyCreate } from "../../api/apiKeys";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { ApiKeyFields } from "./ApiKeyFields";
import { apiKeySlotOf, createRequest, EMPTY_VALUES, problems, readable, type ApiKeyValues } from "./apiKeyForm";

export interface ApiKeyCreateFormProps {
  creating: boolean;
  /** Why the last try failed. */
  error: ApiError | null;
  /** Resolves true when the key was made; the form is emptied then. */
  onCreate: (request: ApiKeyCreate) => Promise<boolean>;
}

/** A new key: its name, its limits and the web origins it may be used from. */
export function ApiKeyCreateForm({ creating, error, onCreate }: ApiKeyCreateFormProps) {
  const id = useId();
  const [values, setValues] = useState<ApiKeyValues>(EMPTY_VALUES);
  // Memoised: a new error each render would move the focus to the field at fault each time.
  const shown = useMemo(() => readable(error), [error]);
  const fields = useFieldErrors({ id, error: shown, slotOf: apiKeySlotOf });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(problems(values)) || creating) return;
    if (await onCreate(createRequest(values))) setValues(EMPTY_VALUES);
  };

  return (
    <form ref={fields.formRef} className="training-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h2 id={`${id}-heading`}>New key</h2>
      <ApiKeyFields id={id} values={values} onChange={(changes) => setValues((v) => ({ ...v, ...changes }))} fields={fields} />
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} title="The key was not made." />
      <button type="submit" className="button button--primary" disabled={creating} aria-busy={creating}>
        Create key
      </button>
    </form>
  );
}
