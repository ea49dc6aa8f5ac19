// The key forms' values, their checks and where an error belongs. The server names the field
// at fault (`name`, `ratePerMinute`, `monthlyQuota`, `allowedOrigins[2]`); the forms' own
// checks use the same names. Origins are checked by the server alone.
import type { ApiKeyCreate, ApiKeyRead, ApiKeyUpdate } from "../../api/apiKeys";
import { ApiError, type ErrorDetail } from "../../api/client";

export const NAME_MAX = 80;
const RATE_MAX = 1_000_000;
const QUOTA_MAX = 10_000_000_000;

export type ApiKeySlot = "name" | "ratePerMinute" | "monthlyQuota" | "allowedOrigins";

/** What the fields hold: the numbers as typed (empty: no limit), the origins one a line. */
export interface ApiKeyValues {
  name: string;
  ratePerMinute: string;
  monthlyQuota: string;
  origins: string;
}

export const EMPTY_VALUES: ApiKeyValues = { name: "", ratePerMinute: "", monthlyQuota: "", origins: "" };

export function valuesOf(key: ApiKeyRead): ApiKeyValues {
  return {
    name: key.name,
    ratePerMinute: key.ratePerMinute === null ? "" : String(key.ratePerMinute),
    monthlyQuota: key.monthlyQuota === null ? "" : String(key.monthlyQuota),
    origins: key.allowedOrigins.join("\n"),
  };
}

/** Every origin of the list in one slot: the message says which (the server quotes it). */
export function apiKeySlotOf(field: string): ApiKeySlot | "form" {
  const name = field.replace(/^body\./, "").replace(/\[\d+\]$/, "");
  return name === "name" || name === "ratePerMinute" || name === "monthlyQuota" || name === "allowedOrigins" ? name : "form";
}

/** The server's messages as a person reads them: without pydantic's "Value error, ". */
export function readable(error: ApiError | null): ApiError | null {
  if (!error || error.details.length === 0) return error;
  return new ApiError({
    status: error.status,
    code: error.code,
    message: error.message,
    details: error.details.map((detail) => ({ ...detail, message: detail.message.replace(/^Value error, /, "") })),
    retryable: error.retryable,
    retryAfter: error.retryAfter,
    requestId: error.requestId,
  });
}

function limit(text: string): number | null {
  return text.trim() === "" ? null : Number(text.trim());
}

function limitProblem(field: ApiKeySlot, text: string, max: number): ErrorDetail[] {
  const value = limit(text);
  if (value === null || (Number.isInteger(value) && value >= 1 && value <= max)) return [];
  return [{ field, message: `A whole number from 1 to ${max.toLocaleString()}, or empty for no limit.` }];
}

export function problems(values: ApiKeyValues): ErrorDetail[] {
  const name = values.name.trim();
  return [
    ...(name === "" ? [{ field: "name", message: "Give the key a name, e.g. the app that will use it." }] : []),
    ...(name.length > NAME_MAX ? [{ field: "name", message: `At most ${NAME_MAX} characters.` }] : []),
    ...limitProblem("ratePerMinute", values.ratePerMinute, RATE_MAX),
    ...limitProblem("monthlyQuota", values.monthlyQuota, QUOTA_MAX),
  ];
}

function origins(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export function createRequest(values: ApiKeyValues): ApiKeyCreate {
  return {
    name: values.name.trim(),
    ratePerMinute: limit(values.ratePerMinute),
    monthlyQuota: limit(values.monthlyQuota),
    allowedOrigins: origins(values.origins),
  };
}

/** Only what differs from the key (the server changes only the fields sent). */
export function updateRequest(key: ApiKeyRead, values: ApiKeyValues): ApiKeyUpdate {
  const wanted = createRequest(values);
  const changes: ApiKeyUpdate = {};
  if (wanted.name !== key.name) changes.name = wanted.name;
  if (wanted.ratePerMinute !== key.ratePerMinute) changes.ratePerMinute = wanted.ratePerMinute;
  if (wanted.monthlyQuota !== key.monthlyQuota) changes.monthlyQuota = wanted.monthlyQuota;
  if (wanted.allowedOrigins?.join("\n") !== key.allowedOrigins.join("\n")) changes.allowedOrigins = wanted.allowedOrigins;
  return changes;
}
