import type { AdminShape } from "../../api/admin";
import { FILTER_HELP, OPTIONAL_FILTERS, type TrainingFormValues } from "./trainingConfig";

export interface TrainingFiltersProps {
  shapes: AdminShape[];
  values: TrainingFormValues;
  onChange: (changes: Partial<TrainingFormValues>) => void;
}

/** Which drawings a job trains on, when no snapshot is picked. */
export function TrainingFilters({ shapes, values, onChange }: TrainingFiltersProps) {
  const toggleShape = (id: string) =>
    onChange({ shapes: values.shapes.includes(id) ? values.shapes.filter((s) => s !== id) : [...values.shapes, id] });
  return (
    <>
      <div className="training-form__row">
        <label className="admin-field admin-field--narrow">
          <span>Minimum quality</span>
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={Number.isNaN(values.minQuality) ? "" : values.minQuality}
            onChange={(e) => onChange({ minQuality: e.target.valueAsNumber })}
          />
        </label>
        {OPTIONAL_FILTERS.map(({ key, label }) => (
          <label key={key} className="admin-field admin-field--narrow">
            <span>{label}</span>
            <input
              inputMode="decimal"
              placeholder="any"
              title={FILTER_HELP[key]}
              value={values[key]}
              onChange={(e) => onChange({ [key]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <div className="training-form__row">
        <label className="admin-check">
          <input type="checkbox" checked={values.includeSynthetic} onChange={(e) => onChange({ includeSynthetic: e.target.checked })} />
          Include synthetic drawings
        </label>
        <label className="admin-check">
          <input type="checkbox" checked={values.includeFlagged} onChange={(e) => onChange({ includeFlagged: e.target.checked })} />
          Include flagged drawings
        </label>
      </div>
      <fieldset className="training-form__shapes">
        <legend>Shapes {values.shapes.length === 0 ? "(none ticked: all active shapes)" : `(${values.shapes.length} ticked)`}</legend>
        {shapes.map((shape) => (
          <label key={shape.id} className="admin-check">
            <input type="checkbox" checked={values.shapes.includes(shape.id)} onChange={() => toggleShape(shape.id)} />
            {shape.name}
            {!shape.active && " (inactive)"}
          </label>
        ))}
      </fieldset>
    </>
  );
}
