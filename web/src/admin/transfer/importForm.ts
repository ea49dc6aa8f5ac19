// The import form's checks and where an error belongs: the server names the source as
// `source` or `query.source`, and the file (too big, unreadable) as `body`.
import type { ErrorDetail } from "../../api/client";

/** As the server checks an import's source. */
export const SOURCE_PATTERN = /^[a-z][a-z0-9_-]{0,15}$/;

export type ImportSlot = "file" | "source";

export function importSlotOf(field: string): ImportSlot | "form" {
  if (field === "source" || field === "query.source") return "source";
  return field === "body" ? "file" : "form";
}

export function importProblems(file: File | null, source: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!file) problems.push({ field: "body", message: "Choose a file to import." });
  if (source.trim() !== "" && !SOURCE_PATTERN.test(source.trim())) {
    problems.push({ field: "source", message: "1–16 lower-case letters, digits, - or _, starting with a letter." });
  }
  return problems;
}
