// A key's usage as the page shows it: requests per day over the whole span asked for, quiet
// days included, oldest first.
import type { UsageDay } from "../../api/apiKeys";
import type { Column } from "../charts/ColumnChart";

const DAY_MS = 24 * 60 * 60 * 1000;

/** "1/3" for 1 March: short enough to label a column. */
export const shortDay = (iso: string) => {
  const [, month, day] = iso.split("-");
  return `${Number(day)}/${Number(month)}`;
};

/** The UTC date `offset` days after `iso`. */
function addDays(iso: string, offset: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}

/** One column a UTC day for the `span` days up to today (or the newest day counted, if later),
 * each the requests of every model version that day. */
export function requestsPerDay(days: readonly UsageDay[], span: number, now: Date = new Date()): Column[] {
  const totals = new Map<string, number>();
  for (const row of days) totals.set(row.day, (totals.get(row.day) ?? 0) + row.requests);
  const today = now.toISOString().slice(0, 10);
  const last = days.reduce((newest, row) => (row.day > newest ? row.day : newest), today);
  return Array.from({ length: span }, (_, i) => {
    const day = addDays(last, i - span + 1);
    return { label: shortDay(day), value: totals.get(day) ?? 0, description: day };
  });
}

/** "v3", or what a row without a model version stands for. */
export const versionLabel = (version: number | null) => (version === null ? "No model" : `v${version}`);

export const formatMs = (ms: number | null) => (ms === null ? "—" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
