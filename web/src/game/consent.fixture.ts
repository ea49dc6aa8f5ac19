// The terms as the Vitest tests' stubbed API serves them, and a browser that agreed before.
import type { Terms } from "../api/consent";

export const TERMS: Terms = {
  version: "1",
  licence: "CC BY 4.0",
  licenceUrl: "https://creativecommons.org/licenses/by/4.0/",
  text:
    "Your drawings are published under CC BY 4.0: anyone may use them with credit.\n\n" +
    "We keep your strokes, their timing and the kind of device you drew with. No personal data.\n\n" +
    'To withdraw, open "My drawings" and choose "Delete my drawings".',
  required: true,
};

export const termsAnswer = (terms: Partial<Terms> = {}) =>
  new Response(JSON.stringify({ ...TERMS, ...terms }), { status: 200, headers: { "Content-Type": "application/json" } });

/** This browser agreed to the current terms on an earlier visit. */
export function agreedBefore(version = TERMS.version): void {
  localStorage.setItem("crowdsketch.termsVersion", version);
}
