import { useId, useState, type FormEvent } from "react";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useFieldErrors } from "../forms/useFieldErrors";
import { importProblems, importSlotOf } from "./importForm";
import { ImportResult } from "./ImportResult";
import { useImport } from "./useImport";

/** A JSON Lines file (this project's export, or Quick, Draw!'s raw format) into the collection. */
export function ImportForm() {
  const id = useId();
  const { importing, error, result, run } = useImport();
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState("");
  // A new key empties the file input after an import.
  const [inputKey, setInputKey] = useState(0);
  const fields = useFieldErrors({ id, error, slotOf: importSlotOf });
  const { invalid, message } = fields;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.check(importProblems(file, source)) || !file || importing) return;
    if (await run(file, source.trim() || undefined)) {
      setFile(null);
      setInputKey((key) => key + 1);
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Import</h2>
      <form ref={fields.formRef} className="training-form" noValidate aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
        <p className="admin-muted">
          One drawing a line, in this project's format or Quick, Draw!'s raw one. Drawings already stored are skipped;
          a line's own source and time are kept.
        </p>
        <div className="training-form__row">
          <div className="admin-field">
            <label htmlFor={`${id}-file`}>File</label>
            <input
              key={inputKey}
              id={`${id}-file`}
              type="file"
              accept=".ndjson,.jsonl,.json,.txt,application/x-ndjson,application/json,text/plain"
              {...invalid("file")}
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
            {message("file")}
          </div>
          <div className="admin-field">
            <label htmlFor={`${id}-source`}>Source (optional)</label>
            <input
              id={`${id}-source`}
              value={source}
              maxLength={16}
              placeholder="import"
              autoCapitalize="none"
              spellCheck={false}
              {...invalid("source", `${id}-source-hint`)}
              onChange={(e) => setSource(e.target.value)}
            />
            <span id={`${id}-source-hint`} className="admin-muted">
              For lines that do not name their own.
            </span>
            {message("source")}
          </div>
        </div>
        {fields.formMessage()}
        <ErrorDisplay error={fields.unplaced} title="The file was not imported." />
        <button type="submit" className="button button--primary" disabled={importing} aria-busy={importing}>
          {importing ? "Importing…" : "Import file"}
        </button>
      </form>
      {result && <ImportResult result={result} />}
    </section>
  );
}
