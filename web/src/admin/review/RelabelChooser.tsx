import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { AdminShape } from "../../api/admin";

export interface RelabelChooserProps {
  shapes: AdminShape[];
  /** The drawing's label now; not offered. */
  currentShape: string;
  /** Chosen at first when it is offered (the label-issue scan's suggestion). */
  suggestedShape?: string | null;
  busy: boolean;
  onConfirm: (shapeId: string) => void;
  onCancel: () => void;
}

/** The new label for a drawing: focused on open, Enter applies it, Escape backs out. */
export function RelabelChooser({ shapes, currentShape, suggestedShape, busy, onConfirm, onCancel }: RelabelChooserProps) {
  const options = shapes.filter((shape) => shape.active && shape.id !== currentShape);
  const [choice, setChoice] = useState<string | null>(null);
  const select = useRef<HTMLSelectElement>(null);
  const chosen = (
    options.find((shape) => shape.id === choice) ??
    options.find((shape) => shape.id === suggestedShape) ??
    options[0]
  )?.id ?? "";
  const ready = options.length > 0;

  // Focus once there is something to choose (the shapes may still be loading at first).
  useEffect(() => {
    if (ready) select.current?.focus();
  }, [ready]);

  const confirm = () => {
    if (chosen && !busy) onConfirm(chosen);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm();
  };
  const onSelectKey = (event: KeyboardEvent<HTMLSelectElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    confirm();
  };
  const onFormKey = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    onCancel();
  };

  return (
    <form className="review__relabel" aria-label="Relabel the drawing" onSubmit={submit} onKeyDown={onFormKey}>
      <label className="admin-field admin-field--inline">
        <span>New shape</span>
        <select ref={select} value={chosen} disabled={!ready} onChange={(e) => setChoice(e.target.value)} onKeyDown={onSelectKey}>
          {options.map((shape) => (
            <option key={shape.id} value={shape.id}>
              {shape.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button button--primary" disabled={busy || !chosen} aria-busy={busy}>
        Relabel
      </button>
      <button type="button" className="button button--quiet" onClick={onCancel}>
        Cancel
      </button>
      <span className="admin-muted">Enter applies, Escape cancels.</span>
    </form>
  );
}
