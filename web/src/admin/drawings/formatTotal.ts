/** How the drawing list says how many drawings match: an exact total as a count ("1,234
 * drawings"), an estimate (`totalIsEstimate`, a broad filter over a big collection) rounded to
 * two significant figures and said to be one ("about 12,000 drawings", "about 1.2 million
 * drawings"). */

// The estimate's words ("about", "million") are English, so are its digits. An exact total is
// written as the rest of the dashboard writes counts, `toLocaleString()`.
const GROUPED = new Intl.NumberFormat("en", { maximumSignificantDigits: 2 });
const IN_WORDS = new Intl.NumberFormat("en", { notation: "compact", compactDisplay: "long", maximumSignificantDigits: 2 });
const MILLION = 1_000_000;

/** The tooltip of an estimated total, for whoever wonders why it is not a count. */
export const ESTIMATE_TITLE = "An estimate: too many drawings match to count each one";

/** `n` to two significant figures (1,234,567 → 1,200,000; 999,999 → 1,000,000). */
export function roundToTwoFigures(n: number): number {
  return n === 0 || !Number.isFinite(n) ? n : Number(n.toPrecision(2));
}

/** An estimate of `n` things: "about 12,000", "about 340,000", "about 1.2 million", "about 12 million". */
export function formatApproximate(n: number): string {
  const rounded = roundToTwoFigures(n);
  return `about ${(rounded >= MILLION ? IN_WORDS : GROUPED).format(rounded)}`;
}

/** "1,234 drawings", "1 drawing"; or, for an estimate, "about 1.2 million drawings". */
export function formatTotal(total: number, isEstimate: boolean): string {
  if (!isEstimate) return `${total.toLocaleString()} drawing${total === 1 ? "" : "s"}`;
  return `${formatApproximate(total)} drawing${roundToTwoFigures(total) === 1 ? "" : "s"}`;
}

/** The page count after "page N of": exact, or (from an estimated total) an estimate that is
 * never under the page shown. */
export function formatPageCount(total: number, isEstimate: boolean, pageSize: number, pageNumber: number): string {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return isEstimate ? formatApproximate(Math.max(pages, pageNumber)) : String(pages);
}
