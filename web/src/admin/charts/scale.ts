// Axis arithmetic shared by the hand-written SVG charts.

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (at least 1). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/** How many steps divide a `niceMax` into round numbers (2.5 → 5 steps of 0.5, not 4 of 0.625). */
function stepsFor(max: number): number {
  const leading = max / 10 ** Math.floor(Math.log10(max));
  return leading === 2.5 || leading === 5 || leading === 10 || leading === 1 ? 5 : 4;
}

/** `count` + 1 evenly spaced values from 0 to `max` (round steps when `count` is left out). */
export function ticks(max: number, count = stepsFor(max)): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

/** Whole numbers from `first` to `last` to label an axis of counts (epochs): every one when
 * there are at most `maxCount`, else the multiples of the smallest round step (1, 2, 5, 10,
 * 20, 50…) that leaves at most `maxCount` labels. Evenly spaced either way. */
export function integerTicks(first: number, last: number, maxCount = 10): number[] {
  const from = Math.ceil(first);
  const to = Math.floor(last);
  if (to < from) return [];
  const count = (step: number) => Math.floor(to / step) - Math.ceil(from / step) + 1;
  let step = 1;
  for (let power = 1; count(step) > maxCount; power *= 10) {
    step = [1, 2, 5].map((m) => m * power).find((candidate) => count(candidate) <= maxCount) ?? 10 * power;
  }
  if (step === 1) return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const start = Math.ceil(from / step) * step;
  return Array.from({ length: count(step) }, (_, i) => start + i * step);
}

/** The fewest decimals (up to `max`) that write `value` exactly. */
function decimalsOf(value: number, max = 3): number {
  for (let decimals = 0; decimals < max; decimals++) {
    if (Math.abs(Number(value.toFixed(decimals)) - value) < 1e-9) return decimals;
  }
  return max;
}

/** Labels for one axis's ticks, all with the same number of decimals ("0.0", "0.5", "1.0",
 * not "0", "0.50", "1"); from 10,000 up in thousands ("5k", "10k"). */
export function axisLabels(values: readonly number[]): string[] {
  const thousands = values.some((value) => Math.abs(value) >= 10_000);
  const scaled = values.map((value) => (thousands ? value / 1000 : value));
  const decimals = Math.max(0, ...scaled.map((value) => decimalsOf(value)));
  return scaled.map((value) => (value === 0 ? (0).toFixed(decimals) : `${value.toFixed(decimals)}${thousands ? "k" : ""}`));
}

/** One value on its own (a bar's total, a tooltip); axes use `axisLabels`. */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 10_000) return `${Math.round(value / 1000)}k`;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) < 1 ? 2 : 1);
}

export const formatPercent = (value: number): string =>
  value > 0 && value < 0.001 ? "<0.1%" : `${(value * 100).toFixed(1)}%`;

export const formatWholePercent = (value: number): string => `${Math.round(value * 100)}%`;

export const SERIES_COLORS = ["#2f6fdf", "#e07a1f", "#2e7d32", "#8e44ad"];
