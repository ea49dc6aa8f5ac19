import { useEffect, useId, useRef, type FormEvent } from "react";

export interface ApiKeyFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** Enter in the field classifies again. */
  onSubmit: () => void;
  /** Takes the focus when this becomes true: the server has just asked for a key. */
  focus: boolean;
}

/** The implementor's API key for the server's Classify, shown when the server requires one. */
export function ApiKeyField({ value, onChange, onSubmit, focus }: ApiKeyFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focus) input.current?.focus();
  }, [focus]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };

  return (
    <form className="api-key-field" onSubmit={submit}>
      <label htmlFor={`${id}-key`}>API key</label>
      <input
        id={`${id}-key`}
        ref={input}
        type="password"
        value={value}
        autoComplete="off"
        spellCheck={false}
        placeholder="csk_…"
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.value)}
      />
      <p id={`${id}-hint`} className="api-key-field__hint">
        This server requires a key to classify. An admin makes one under Admin → API keys. It is kept in this tab only and
        sent as <code>Authorization: Bearer …</code>; Run in the browser needs none.
      </p>
    </form>
  );
}
