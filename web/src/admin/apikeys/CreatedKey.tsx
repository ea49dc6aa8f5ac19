import { useEffect, useId, useRef, useState } from "react";
import type { ApiKeyCreated } from "../../api/apiKeys";

export interface CreatedKeyProps {
  created: ApiKeyCreated;
  onDone: () => void;
}

/** The key just made, the only time it is shown, with a Copy button. It takes the focus as it
 * appears, so nobody misses it. */
export function CreatedKey({ created, onDone }: CreatedKeyProps) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"" | "done" | "failed">("");

  useEffect(() => {
    setCopied("");
    heading.current?.focus();
  }, [created.key]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("done");
    } catch {
      // No clipboard (an insecure context, a refusal): the key is selected to copy by hand.
      input.current?.select();
      setCopied("failed");
    }
  };

  return (
    <section className="api-key-created" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        New key for “{created.name}”
      </h2>
      <p className="api-key-created__warning">
        <strong>Copy it now: it will not be shown again.</strong> Only a keyed hash of it is kept; if it is lost, make
        another and revoke this one.
      </p>
      <div className="api-key-created__row">
        <label htmlFor={`${id}-key`}>API key</label>
        <input
          id={`${id}-key`}
          ref={input}
          className="api-key-created__key"
          readOnly
          value={created.key}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="admin-muted" aria-live="polite">
        {copied === "done" ? "Copied. " : copied === "failed" ? "Select the key and copy it. " : ""}
        Callers send it as <code>Authorization: Bearer {created.prefix}…</code>
      </p>
      <button type="button" className="button" onClick={onDone}>
        Done, I have copied it
      </button>
    </section>
  );
}
