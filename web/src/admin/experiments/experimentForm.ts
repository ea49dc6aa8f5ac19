// The "New experiment" form's values, the request they make, and where an error belongs: the
// server names the field at fault (`name`, `treatmentModelId`, `share`, `minimumEffect`) and
// the form's own checks use the same names, so both show next to that field.
import type { ErrorDetail } from "../../api/client";
import type { ExperimentCreate } from "../../api/experiments";

export interface ExperimentFormValues {
  name: string;
  treatmentModelId: string;
  /** The treatment's share of the traffic, in percent. */
  sharePercent: string;
  /** The smallest difference worth finding, in percentage points. */
  minimumEffectPoints: string;
}

export const DEFAULT_SHARE_PERCENT = "50";
export const DEFAULT_MINIMUM_EFFECT_POINTS = "3";

export const initialValues = (treatmentModelId = ""): ExperimentFormValues => ({
  name: "",
  treatmentModelId,
  sharePercent: DEFAULT_SHARE_PERCENT,
  minimumEffectPoints: DEFAULT_MINIMUM_EFFECT_POINTS,
});

export type ErrorSlot = "name" | "treatmentModelId" | "share" | "minimumEffect" | "form";

const FIELDS: readonly ErrorSlot[] = ["name", "treatmentModelId", "share", "minimumEffect"];

/** The slot of a server's field path (`body.share` → `share`); the unknown → `form`. */
export function slotOf(field: string): ErrorSlot {
  const name = field.replace(/^body\./, "").split(".")[0];
  return FIELDS.find((slot) => slot === name) ?? "form";
}

const inRange = (text: string, low: number, high: number) => text.trim() !== "" && Number(text) >= low && Number(text) <= high;

/** What the form can tell before asking the server, as the server would name it. */
export function formProblems(values: ExperimentFormValues): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (values.name.trim() === "") problems.push({ field: "name", message: "Give the experiment a name." });
  if (values.treatmentModelId === "") problems.push({ field: "treatmentModelId", message: "Choose the model to test." });
  if (!inRange(values.sharePercent, 1, 99)) problems.push({ field: "share", message: "The share must be a percentage from 1 to 99." });
  if (!inRange(values.minimumEffectPoints, 0.5, 50)) {
    problems.push({ field: "minimumEffect", message: "The minimum effect must be from 0.5 to 50 points." });
  }
  return problems;
}

/** Percent and points become the API's 0..1 fractions. */
export function toRequest(values: ExperimentFormValues): ExperimentCreate {
  return {
    name: values.name.trim(),
    treatmentModelId: values.treatmentModelId,
    share: Number(values.sharePercent) / 100,
    minimumEffect: Number(values.minimumEffectPoints) / 100,
  };
}
