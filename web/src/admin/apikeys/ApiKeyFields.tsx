import type { useFieldErrors } from "../forms/useFieldErrors";
import { NAME_MAX, type ApiKeySlot, type ApiKeyValues } from "./apiKeyForm";

export interface ApiKeyFieldsProps {
  /** The form's useId(). */
  id: string;
  values: ApiKeyValues;
  onChange: (changes: Partial<ApiKeyValues>) => void;
  fields: ReturnType<typeof useFieldErrors<ApiKeySlot>>;
}

/** A key's name, limits and origins, each with its message beside it. */
export function ApiKeyFields({ id, values, onChange, fields }: ApiKeyFieldsProps) {
  const { invalid, message } = fields;
  return (
    <>
      <div className="training-form__row">
        <div className="admin-field api-key-fields__name">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={values.name}
            maxLength={NAME_MAX}
            placeholder="Acme's drawing app"
            {...invalid("name")}
            onChange={(e) => onChange({ name: e.target.value })}
          />
          {message("name")}
        </div>
        <div className="admin-field admin-field--narrow">
          <label htmlFor={`${id}-rate`}>Requests a minute</label>
          <input
            id={`${id}-rate`}
            inputMode="numeric"
            value={values.ratePerMinute}
            {...invalid("ratePerMinute", `${id}-limits-hint`)}
            onChange={(e) => onChange({ ratePerMinute: e.target.value })}
          />
          {message("ratePerMinute")}
        </div>
        <div className="admin-field admin-field--narrow">
          <label htmlFor={`${id}-quota`}>Monthly quota</label>
          <input
            id={`${id}-quota`}
            inputMode="numeric"
            value={values.monthlyQuota}
            {...invalid("monthlyQuota", `${id}-limits-hint`)}
            onChange={(e) => onChange({ monthlyQuota: e.target.value })}
          />
          {message("monthlyQuota")}
        </div>
      </div>
      <p id={`${id}-limits-hint`} className="admin-muted api-key-fields__hint">
        Leave a limit empty for none. The quota counts requests in a calendar month (UTC).
      </p>
      <div className="admin-field api-key-fields__origins">
        <label htmlFor={`${id}-origins`}>Allowed origins</label>
        <textarea
          id={`${id}-origins`}
          rows={3}
          value={values.origins}
          placeholder="https://app.example.org"
          autoCapitalize="none"
          spellCheck={false}
          {...invalid("allowedOrigins", `${id}-origins-hint`)}
          onChange={(e) => onChange({ origins: e.target.value })}
        />
        <span id={`${id}-origins-hint`} className="admin-muted">
          One a line, as scheme://host[:port]: web pages there may call with this key. Servers need none.
        </span>
        {message("allowedOrigins")}
      </div>
    </>
  );
}
