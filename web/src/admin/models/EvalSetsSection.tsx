import { useState, type FormEvent } from "react";
import type { EvalSet } from "../../api/evaluation";
import type { ApiError } from "../../api/client";
import { ErrorDisplay } from "../../common/ErrorDisplay";

export interface EvalSetsSectionProps {
  sets: EvalSet[] | undefined;
  error: ApiError | null;
  actionError: ApiError | null;
  busy: string | null;
  onReload: () => void;
  onAdd: (name: string, file: File) => Promise<boolean>;
  onRemove: (name: string) => void;
}

/** The registered evaluation sets: real drawings no model trains on, every model is scored on. */
export function EvalSetsSection({ sets, error, actionError, busy, onReload, onAdd, onRemove }: EvalSetsSectionProps) {
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [formKey, setFormKey] = useState(0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || !name) return;
    if (await onAdd(name.trim(), file)) {
      setName("");
      setFile(null);
      setFormKey((key) => key + 1); // a fresh file input
    }
  };

  return (
    <section className="eval-sets" aria-labelledby="eval-sets-heading">
      <h2 id="eval-sets-heading">Evaluation sets</h2>
      <p className="admin-muted">
        Real, labelled drawings that are never trained on (a drawing with the same strokes is left out of every training
        set). Every model is scored on each set when its training ends.
      </p>
      <ErrorDisplay error={error} onRetry={onReload} title="The evaluation sets could not be loaded." />
      <ErrorDisplay error={actionError} title="The evaluation set was not changed." />
      {sets && sets.length === 0 && <p>No evaluation set is registered.</p>}
      {sets && sets.length > 0 && (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Drawings</th>
              <th scope="col">Shapes</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sets.map((set) => (
              <tr key={set.name}>
                <th scope="row">{set.name}</th>
                <td>{set.drawings.toLocaleString()}</td>
                <td>{set.shapes.join(", ")}</td>
                <td>{new Date(set.createdAt).toLocaleDateString()}</td>
                <td>
                  <button
                    type="button"
                    className="button button--quiet"
                    aria-label={`Remove evaluation set ${set.name}`}
                    disabled={busy !== null}
                    aria-busy={busy === `remove:${set.name}`}
                    onClick={() => onRemove(set.name)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form key={formKey} className="eval-sets__form" noValidate onSubmit={(event) => void submit(event)}>
        <label>
          Set name
          <input
            type="text"
            value={name}
            required
            maxLength={40}
            title="Lower-case letters, digits, '.', '_' or '-'"
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          Drawings file (JSON Lines)
          <input
            type="file"
            accept=".jsonl,.ndjson,.json,application/x-ndjson"
            required
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" className="button" disabled={busy !== null || !file || !name} aria-busy={busy === "add"}>
          Add evaluation set
        </button>
      </form>
    </section>
  );
}
