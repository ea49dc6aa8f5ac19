// The audit log's filters: what the form holds and the query it sends (the server filters).
import type { AuditFilters } from "../../api/adminData";
import type { ErrorDetail } from "../../api/client";

export interface AuditFilterValues {
  actor: string;
  action: string;
  /** yyyy-mm-dd, from the start of that day (local time); empty for no bound. */
  from: string;
  /** yyyy-mm-dd, to the end of that day (local time); empty for no bound. */
  to: string;
}

export const NO_FILTER: AuditFilterValues = { actor: "", action: "", from: "", to: "" };

/** The actions the server records (`review.*` and `experiment.*` by their outcome). */
export const KNOWN_ACTIONS = [
  "login", "flag", "unflag", "delete", "import", "shape.create", "shape.update", "review.accept", "review.flag",
  "review.relabel", "dataset.create", "dataset.delete", "training.start", "training.cancel", "model.activate",
  "model.evaluate", "evalset.add", "evalset.remove", "label_issues.scan", "experiment.start", "experiment.promote",
  "experiment.stop", "contributor.withdraw", "password.set", "doctor.repair",
] as const;

export type AuditSlot = "actor" | "action" | "from" | "to";

const SERVER_FIELDS: Record<string, AuditSlot> = {
  "query.actor": "actor",
  "query.action": "action",
  "query.createdFrom": "from",
  "query.createdTo": "to",
};

export const auditSlotOf = (field: string): AuditSlot | "form" => SERVER_FIELDS[field] ?? "form";

export function filterProblems(values: AuditFilterValues): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (values.actor.trim().length > 320) problems.push({ field: "query.actor", message: "At most 320 characters." });
  if (values.action.trim().length > 40) problems.push({ field: "query.action", message: "At most 40 characters." });
  if (values.from && values.to && values.from > values.to) {
    problems.push({ field: "query.createdTo", message: "The last day comes before the first." });
  }
  return problems;
}

/** The start of a local day, as an ISO instant. */
function dayStart(day: string, plusDays = 0): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date + plusDays).toISOString();
}

export function toFilters(values: AuditFilterValues): AuditFilters {
  const filters: AuditFilters = {};
  if (values.actor.trim()) filters.actor = values.actor.trim();
  if (values.action.trim()) filters.action = values.action.trim();
  if (values.from) filters.createdFrom = dayStart(values.from);
  if (values.to) filters.createdTo = dayStart(values.to, 1);
  return filters;
}
