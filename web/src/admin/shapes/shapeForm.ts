// The shape forms' checks and where an error belongs. The server names the field at fault
// (`id`, `name`, `active`, `position`); the forms' own checks use the same names.
import type { ErrorDetail } from "../../api/client";

/** As the server checks a new shape's id: it labels exports and datasets, and never changes. */
export const SHAPE_ID_PATTERN = /^[a-z][a-z0-9_-]{1,39}$/;
export const SHAPE_NAME_MAX = 80;

export type ShapeSlot = "id" | "name" | "closed";

/** `id`, `name` or `closed`; anything else is about the request as a whole. */
export function shapeSlotOf(field: string): ShapeSlot | "form" {
  const name = field.replace(/^body\./, "");
  return name === "id" || name === "name" || name === "closed" ? name : "form";
}

export function nameProblems(name: string): ErrorDetail[] {
  const trimmed = name.trim();
  if (trimmed === "") return [{ field: "name", message: "Give the shape a name." }];
  if (trimmed.length > SHAPE_NAME_MAX) return [{ field: "name", message: `At most ${SHAPE_NAME_MAX} characters.` }];
  return [];
}

export function createProblems(values: { id: string; name: string }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!SHAPE_ID_PATTERN.test(values.id.trim())) {
    problems.push({
      field: "id",
      message: "2–40 characters: lower-case letters, digits, - or _, starting with a letter.",
    });
  }
  return [...problems, ...nameProblems(values.name)];
}
