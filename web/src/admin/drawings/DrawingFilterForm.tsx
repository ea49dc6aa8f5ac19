import type { AdminShape, DrawingQuery } from "../../api/admin";
import type { Device } from "../../api/strokes";

export interface DrawingFilterFormProps {
  query: DrawingQuery;
  shapes: AdminShape[];
  sources: string[];
  onChange: (query: DrawingQuery) => void;
}

const DEVICES: Device[] = ["mouse", "touch", "pen"];
const SORTS = {
  newest: { sort: "created_at", order: "desc" },
  oldest: { sort: "created_at", order: "asc" },
  best: { sort: "quality", order: "desc" },
  worst: { sort: "quality", order: "asc" },
} as const;
type SortName = keyof typeof SORTS;

const sortName = (query: DrawingQuery): SortName =>
  (Object.keys(SORTS) as SortName[]).find(
    (name) => SORTS[name].sort === (query.sort ?? "created_at") && SORTS[name].order === (query.order ?? "desc"),
  ) ?? "newest";

const quality = (value: string): number | undefined => {
  if (value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? Math.min(1, Math.max(0, number)) : undefined;
};

/** The list's filters; each change is applied at once (and starts again from page 1). */
export function DrawingFilterForm({ query, shapes, sources, onChange }: DrawingFilterFormProps) {
  const set = (changes: Partial<DrawingQuery>) => onChange({ ...query, ...changes });
  const flagged = query.flagged === undefined ? "" : String(query.flagged);
  return (
    <fieldset className="admin-filters">
      <legend>Filters</legend>
      <label className="admin-field">
        <span>Shape</span>
        <select value={query.shape ?? ""} onChange={(e) => set({ shape: e.target.value || undefined })}>
          <option value="">All shapes</option>
          {shapes.map((shape) => (
            <option key={shape.id} value={shape.id}>
              {shape.name}
            </option>
          ))}
        </select>
      </label>
      <label className="admin-field">
        <span>Source</span>
        <select value={query.source ?? ""} onChange={(e) => set({ source: e.target.value || undefined })}>
          <option value="">All sources</option>
          {sources.map((source) => (
            <option key={source} value={source}>
              {source}
            </option>
          ))}
        </select>
      </label>
      <label className="admin-field">
        <span>Flagged</span>
        <select
          value={flagged}
          onChange={(e) => set({ flagged: e.target.value === "" ? undefined : e.target.value === "true" })}
        >
          <option value="">Any</option>
          <option value="true">Flagged only</option>
          <option value="false">Not flagged</option>
        </select>
      </label>
      <label className="admin-field">
        <span>Device</span>
        <select value={query.device ?? ""} onChange={(e) => set({ device: (e.target.value || undefined) as Device | undefined })}>
          <option value="">Any device</option>
          {DEVICES.map((device) => (
            <option key={device} value={device}>
              {device}
            </option>
          ))}
        </select>
      </label>
      <label className="admin-field admin-field--narrow">
        <span>Min quality</span>
        <input
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={query.minQuality ?? ""}
          onChange={(e) => set({ minQuality: quality(e.target.value) })}
        />
      </label>
      <label className="admin-field admin-field--narrow">
        <span>Max quality</span>
        <input
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={query.maxQuality ?? ""}
          onChange={(e) => set({ maxQuality: quality(e.target.value) })}
        />
      </label>
      <label className="admin-field">
        <span>Sort</span>
        <select value={sortName(query)} onChange={(e) => set(SORTS[e.target.value as SortName])}>
          <option value="newest">Newest first</option>
          <option value="oldest">Oldest first</option>
          <option value="best">Best quality first</option>
          <option value="worst">Worst quality first</option>
        </select>
      </label>
    </fieldset>
  );
}
