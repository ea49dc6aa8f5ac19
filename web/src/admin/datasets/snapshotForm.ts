// The "New snapshot" form's values, the request they make, and where an error belongs: the
// server names the field at fault (`name`, `filter.minQuality`, `filter.shapes.0`, `filter`),
// and the form's own checks use the same names, so both are shown next to that field.
import type { ErrorDetail } from "../../api/client";
import type { DatasetCreate, DatasetFilter, DrawingSource } from "../../api/datasets";

export const SOURCES: readonly { id: DrawingSource; label: string }[] = [
  { id: "game", label: "Game" },
  { id: "import", label: "Import" },
  { id: "synthetic", label: "Synthetic" },
];

/** The 0–1 thresholds; empty means the server's default (quality 0, the others no filter). */
export const THRESHOLDS = [
  { key: "minQuality", label: "Minimum quality", placeholder: "0" },
  { key: "minAgreement", label: "Minimum agreement", placeholder: "any" },
  { key: "minConsensus", label: "Minimum consensus", placeholder: "any" },
  { key: "minTrust", label: "Minimum trust", placeholder: "any" },
] as const;

export type ThresholdKey = (typeof THRESHOLDS)[number]["key"];

export interface SnapshotFormValues {
  name: string;
  /** Empty: every active shape. */
  shapes: string[];
  /** Empty: every source. */
  sources: string[];
  minQuality: string;
  minAgreement: string;
  minConsensus: string;
  minTrust: string;
  includeSynthetic: boolean;
  includeFlagged: boolean;
}

export const EMPTY_SNAPSHOT_FORM: SnapshotFormValues = {
  name: "",
  shapes: [],
  sources: [],
  minQuality: "",
  minAgreement: "",
  minConsensus: "",
  minTrust: "",
  includeSynthetic: true,
  includeFlagged: false,
};

/** Where an error is shown: a field of the form, or `form` for the snapshot as a whole. */
export type ErrorSlot = "name" | "shapes" | "sources" | ThresholdKey | "includeSynthetic" | "includeFlagged" | "form";

const SLOTS: readonly ErrorSlot[] = ["name", "shapes", "sources", ...THRESHOLDS.map((t) => t.key), "includeSynthetic", "includeFlagged"];

/** The slot of a server's field path: `filter.shapes.0` → `shapes`; `filter` and the unknown → `form`. */
export function slotOf(field: string): ErrorSlot {
  const parts = field.replace(/^body\./, "").split(".");
  const name = parts[0] === "filter" ? parts[1] : parts[0];
  return SLOTS.find((slot) => slot === name) ?? "form";
}

/** What the form can tell before asking the server, as the server would name it. */
export function formProblems(values: SnapshotFormValues): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (values.name.trim() === "") problems.push({ field: "name", message: "Give the snapshot a name." });
  for (const { key, label } of THRESHOLDS) {
    const value = values[key].trim();
    if (value !== "" && !(Number(value) >= 0 && Number(value) <= 1)) {
      problems.push({ field: `filter.${key}`, message: `${label} must be a number from 0 to 1, or empty.` });
    }
  }
  return problems;
}

export function toRequest(values: SnapshotFormValues): DatasetCreate {
  const filter: DatasetFilter = { includeSynthetic: values.includeSynthetic, includeFlagged: values.includeFlagged };
  if (values.shapes.length > 0) filter.shapes = values.shapes;
  if (values.sources.length > 0) filter.sources = values.sources;
  for (const { key } of THRESHOLDS) {
    if (values[key].trim() !== "") filter[key] = Number(values[key]);
  }
  return { name: values.name.trim(), filter };
}

/** A list with the item added, or taken out if it was there. */
export const toggled = (list: readonly string[], item: string): string[] =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
