// Implementors' API keys (`/api/admin/api-keys`): made, changed and revoked by an admin, with
// each key's use. The key itself comes back once, in the answer that makes it.
import { admin } from "./admin";

export interface UsageTotals {
  requests: number;
  errors: number;
}

export interface ApiKeyRead {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart. */
  prefix: string;
  /** Null: no limit. */
  ratePerMinute: number | null;
  /** Requests a calendar month (UTC); null: none. */
  monthlyQuota: number | null;
  /** Web origins whose pages may call with the key (CORS). */
  allowedOrigins: string[];
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  usageThisMonth: UsageTotals;
}

export interface ApiKeyCreated extends ApiKeyRead {
  /** The key itself: shown this once, never again. */
  key: string;
}

export interface ApiKeyCreate {
  name: string;
  ratePerMinute?: number | null;
  monthlyQuota?: number | null;
  allowedOrigins?: string[];
}

/** Only the fields sent change; null removes a limit. */
export type ApiKeyUpdate = Partial<ApiKeyCreate>;

export interface UsageDay {
  /** A UTC date, "2026-03-01". */
  day: string;
  /** Null: requests no model answered. */
  modelVersion: number | null;
  requests: number;
  errors: number;
  /** The median time in the app; null without requests. */
  p50Ms: number | null;
}

export interface ApiKeyUsage {
  keyId: string;
  /** Newest day first; within a day, newest model first. */
  days: UsageDay[];
  totals: UsageTotals;
}

const path = (id: string) => `/api-keys/${encodeURIComponent(id)}`;

/** Every key, newest first. */
export function listApiKeys(signal?: AbortSignal): Promise<ApiKeyRead[]> {
  return admin<ApiKeyRead[]>("/api-keys", { signal });
}

export function createApiKey(request: ApiKeyCreate): Promise<ApiKeyCreated> {
  return admin<ApiKeyCreated>("/api-keys", { method: "POST", body: request });
}

export function updateApiKey(id: string, changes: ApiKeyUpdate): Promise<ApiKeyRead> {
  return admin<ApiKeyRead>(path(id), { method: "PATCH", body: changes });
}

/** The key stops working at once; revoking again is harmless. */
export function revokeApiKey(id: string): Promise<ApiKeyRead> {
  return admin<ApiKeyRead>(`${path(id)}/revoke`, { method: "POST" });
}

export function fetchApiKeyUsage(id: string, days = 30, signal?: AbortSignal): Promise<ApiKeyUsage> {
  return admin<ApiKeyUsage>(`${path(id)}/usage`, { query: { days }, signal });
}
