import { useId, useState, type FormEvent, type InputHTMLAttributes } from "react";
import type { AuditFilters } from "../../api/adminData";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { auditSlotOf, filterProblems, KNOWN_ACTIONS, NO_FILTER, toFilters, type AuditFilterValues } from "./auditFilter";

export interface AuditFilterFormProps {
  /** Why the log could not be loaded with the filters applied. */
  error: ApiError | null;
  onRetry: () => void;
  onFilter: (filters: AuditFilters) => void;
}

/** Actor, action and days; applied together with the button, so typing sends nothing. */
export function AuditFilterForm({ error, onRetry, onFilter }: AuditFilterFormProps) {
  const id = useId();
  const [values, setValues] = useState<AuditFilterValues>(NO_FILTER);
  const set = (changes: Partial<AuditFilterValues>) => setValues((current) => ({ ...current, ...changes }));
  const fields = useFieldErrors({ id, error, slotOf: auditSlotOf });
  const { invalid, message } = fields;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (fields.check(filterProblems(values))) onFilter(toFilters(values));
  };

  const clear = () => {
    setValues(NO_FILTER);
    fields.check([]);
    onFilter({});
  };

  const field = (slot: keyof AuditFilterValues, label: string, input: InputHTMLAttributes<HTMLInputElement>) => (
    <div className="admin-field">
      <label htmlFor={`${id}-${slot}`}>{label}</label>
      <input id={`${id}-${slot}`} value={values[slot]} {...input} {...invalid(slot)} onChange={(e) => set({ [slot]: e.target.value })} />
      {message(slot)}
    </div>
  );

  return (
    <form ref={fields.formRef} noValidate aria-label="Audit log filters" onSubmit={submit}>
      <fieldset className="admin-filters">
        <legend>Filters</legend>
        {field("actor", "Actor", { type: "search", placeholder: "admin@…", autoCapitalize: "none", spellCheck: false })}
        {field("action", "Action", { type: "search", list: `${id}-actions`, placeholder: "any", autoCapitalize: "none", spellCheck: false })}
        <datalist id={`${id}-actions`}>
          {KNOWN_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
        {field("from", "From", { type: "date" })}
        {field("to", "To", { type: "date" })}
      </fieldset>
      {fields.formMessage()}
      <ErrorDisplay error={fields.unplaced} onRetry={onRetry} title="The audit log could not be loaded." />
      <div className="admin-toolbar">
        <button type="submit" className="button button--primary">
          Apply filters
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
