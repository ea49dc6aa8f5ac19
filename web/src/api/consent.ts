// The contributor's consent: the terms drawings are given under, and the session's agreement
// to them. A drawing from a session that has not agreed to the current version is refused
// with 403 CONSENT_REQUIRED.
import { apiRequest, type ApiError } from "./client";

export interface Terms {
  version: string;
  /** The licence the drawings are published under, e.g. "CC BY 4.0". */
  licence: string;
  licenceUrl: string;
  /** Plain text; paragraphs are separated by blank lines. */
  text: string;
  /** False when the operator turned the check off: nothing to agree to. */
  required: boolean;
}

export interface Consent {
  termsVersion: string;
  consentedAt: string;
}

export function fetchTerms(signal?: AbortSignal): Promise<Terms> {
  return apiRequest<Terms>("/api/terms", { signal });
}

export function recordConsent(sessionId: string, termsVersion: string): Promise<Consent> {
  return apiRequest<Consent>("/api/consent", {
    method: "POST",
    body: { termsVersion },
    headers: { "X-Session-Id": sessionId },
  });
}

/** A drawing refused because the session has not agreed to the current terms. */
export function isConsentRequired(error: ApiError): boolean {
  return error.status === 403 && error.code === "CONSENT_REQUIRED";
}

/** The terms version a refusal names, when it names one. */
export function requiredTermsVersion(error: ApiError): string | undefined {
  for (const detail of error.details as Array<{ field: string; termsVersion?: unknown }>) {
    if (detail.field === "termsVersion" && typeof detail.termsVersion === "string") return detail.termsVersion;
  }
  return undefined;
}

/** POST /api/consent named a version that is no longer current: the terms changed meanwhile. */
export function isStaleTerms(error: ApiError): boolean {
  return error.status === 400 && error.details.some((detail) => detail.field.endsWith("termsVersion"));
}
