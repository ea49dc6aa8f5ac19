// A snapshot's filter and datasheet as people read them.
import type { ReactNode } from "react";
import type { DatasetFilter } from "../../api/datasets";
import { shapeName, type ShapeNames } from "../../common/shapeNames";

const threshold = (value: number | null | undefined): string => (value === null || value === undefined ? "any" : `≥ ${value}`);

/** The filter the snapshot was made with, the server's defaults filled in. */
export function filterFacts(filter: DatasetFilter, names: ShapeNames): [string, ReactNode][] {
  return [
    ["Shapes", filter.shapes?.length ? filter.shapes.map((id) => shapeName(names, id)).join(", ") : "All active shapes"],
    ["Sources", filter.sources?.length ? filter.sources.join(", ") : "Every source"],
    ["Quality", threshold(filter.minQuality ?? 0)],
    ["Model agreement", threshold(filter.minAgreement)],
    ["Crowd consensus", threshold(filter.minConsensus)],
    ["Author trust", threshold(filter.minTrust)],
    ["Synthetic drawings", filter.includeSynthetic === false ? "Left out" : "Included"],
    ["Flagged drawings", filter.includeFlagged ? "Included" : "Left out"],
  ];
}

export interface CountTableProps {
  caption: string;
  /** The first column's heading. */
  what: string;
  counts: Record<string, number>;
  /** How a key is shown (a shape's name for its id). */
  label?: (key: string) => string;
}

/** Counts by key, largest first. */
export function CountTable({ caption, what, counts, label = (key) => key }: CountTableProps) {
  const rows = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return (
    <table className="admin-table dataset-counts">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col">Drawings</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, count]) => (
          <tr key={key}>
            <th scope="row">{label(key)}</th>
            <td>{count.toLocaleString()}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={2} className="admin-muted">
              None
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export const shapeLabel = (names: ShapeNames) => (id: string) => shapeName(names, id);
