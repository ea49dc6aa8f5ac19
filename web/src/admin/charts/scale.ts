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

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 10_000) return `${Math.round(value / 1000)}k`;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) < 1 ? 2 : 1);
}

export const formatPercent = (value: number): string =>
  value > 0 && value < 0.001 ? "<0.1%" : `${(value * 100).toFixed(1)}%`;

export const formatWholePercent = (value: number): string => `${Math.round(value * 100)}%`;

export const SERIES_COLORS = ["#2f6fdf", "#e07a1f", "#2e7d32", "#8e44ad"];
