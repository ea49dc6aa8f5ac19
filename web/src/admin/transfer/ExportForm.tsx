import { useId, useState } from "react";
import { exportUrl, type AdminShape } from "../../api/admin";

type ExportFormat = "ndjson" | "quickdraw";

const toggled = (list: readonly string[], item: string): string[] =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: "ndjson", label: "crowdsketch JSON Lines (ndjson)" },
  { value: "quickdraw", label: "Quick, Draw! raw format (quickdraw)" },
];

export interface ExportFormProps {
  /** The catalogue, inactive shapes included. */
  shapes: AdminShape[];
}

/** The drawings as a streamed JSON Lines download; the link changes with the choices. */
export function ExportForm({ shapes }: ExportFormProps) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>("ndjson");
  const [chosen, setChosen] = useState<string[]>([]);
  const [includeFlagged, setIncludeFlagged] = useState(false);
  const href = exportUrl({ format, shapes: chosen, includeFlagged });
  const which = chosen.length === 0 ? "every shape" : `${chosen.length} ${chosen.length === 1 ? "shape" : "shapes"}`;

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Export</h2>
      <div className="training-form">
        <fieldset className="training-form__shapes">
          <legend>Format</legend>
          {FORMATS.map((option) => (
            <label key={option.value} className="admin-check">
              <input type="radio" name={`${id}-format`} value={option.value} checked={format === option.value} onChange={() => setFormat(option.value)} />
              {option.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="training-form__shapes">
          <legend>Shapes {chosen.length === 0 ? "(none ticked: every shape)" : `(${chosen.length} ticked)`}</legend>
          {shapes.map((shape) => (
            <label key={shape.id} className="admin-check">
              <input type="checkbox" checked={chosen.includes(shape.id)} onChange={() => setChosen(toggled(chosen, shape.id))} />
              {shape.name}
              {!shape.active && " (inactive)"}
            </label>
          ))}
        </fieldset>
        <label className="admin-check">
          <input type="checkbox" checked={includeFlagged} onChange={(e) => setIncludeFlagged(e.target.checked)} />
          Include flagged drawings
        </label>
        <p className="admin-muted" id={`${id}-what`}>
          The drawings of {which}, {includeFlagged ? "flagged ones included" : "flagged ones left out"}, oldest first, one a
          line.
        </p>
        <p>
          <a className="button button--primary" href={href} download aria-describedby={`${id}-what`}>
            Download export
          </a>
        </p>
      </div>
    </section>
  );
}
