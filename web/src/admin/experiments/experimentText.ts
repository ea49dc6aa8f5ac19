// An experiment's numbers in words, as the pages and their charts' text alternatives say them.
import type { Experiment, ExperimentArm, ExperimentStatus, Interval } from "../../api/experiments";
import { armOf } from "../../api/experiments";
import { formatPercent } from "../charts/scale";

export const STATUS_TEXT: Record<ExperimentStatus, string> = {
  running: "Running",
  stopped: "Stopped",
  promoted: "Promoted",
};

export const ARM_TEXT = { control: "Control", treatment: "Treatment" } as const;

/** An accuracy difference (0..1 scale) in percentage points with its sign: "+2.1 points". */
export function formatPoints(difference: number): string {
  const points = difference * 100;
  const sign = points > 0.05 ? "+" : points < -0.05 ? "−" : "±";
  return `${sign}${Math.abs(points).toFixed(1)} points`;
}

export const formatInterval = (interval: Interval, format: (value: number) => string = formatPercent): string =>
  `${format(interval.low)} to ${format(interval.high)}`;

export function formatPValue(p: number): string {
  if (p < 0.001) return "p < 0.001";
  return `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

export const formatMs = (ms: number | null): string => (ms === null ? "—" : `${Math.round(ms).toLocaleString()} ms`);

/** "90.0% (87.1% to 92.4%)", or why there is none yet. */
export function accuracyText(arm: ExperimentArm): string {
  if (arm.accuracy === null) return "no labels yet";
  return arm.interval ? `${formatPercent(arm.accuracy)} (${formatInterval(arm.interval)})` : formatPercent(arm.accuracy);
}

/** Whether the comparison is judged on the game drawings both arms named (else on every
 * label of each arm). */
export const isPaired = (experiment: Experiment): boolean => experiment.comparison.paired;

/** The labels counted towards the plan: the drawings both arms named when paired, else the
 * labels of the arm with fewer (the plan is met when both have their planned count). */
export const labelsPerArm = (experiment: Experiment): number =>
  isPaired(experiment) ? experiment.paired.drawings : Math.min(...experiment.arms.map((arm) => arm.labelled));

/** The decision rule's verdict in a sentence: "Keep running: 312 of 1,700 planned labels per arm". */
export function verdictText(experiment: Experiment): string {
  const { decision, plannedLabelsPerArm } = experiment.comparison;
  const control = armOf(experiment, "control");
  const treatment = armOf(experiment, "treatment");
  const planned = plannedLabelsPerArm.toLocaleString();
  switch (decision) {
    case "keep running":
      return `Keep running: ${labelsPerArm(experiment).toLocaleString()} of ${planned} planned labels per arm`;
    case "treatment better":
      return `Treatment better: v${treatment?.modelVersion} names more drawings right than v${control?.modelVersion}`;
    case "control better":
      return `Control better: v${control?.modelVersion} names more drawings right than v${treatment?.modelVersion}`;
    case "no difference at the planned power":
      return `No difference at the planned power: neither version is better by the minimum effect after ${planned} labels per arm`;
    default:
      return String(decision);
  }
}

/** The difference, its interval and p-value in a sentence, or why there is none yet. */
export function differenceText(experiment: Experiment): string {
  const { difference, interval, pValue } = experiment.comparison;
  if (difference === null) {
    return isPaired(experiment)
      ? "No difference yet: no game drawing has been named by both versions."
      : "No difference yet: both arms need labelled answers.";
  }
  const parts = [`Treatment − control: ${formatPoints(difference)}`];
  if (interval) parts.push(`95% interval ${formatPoints(interval.low)} to ${formatPoints(interval.high)}`);
  if (pValue !== null) parts.push(formatPValue(pValue));
  return parts.join(", ");
}
