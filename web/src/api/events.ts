// The admin's live events: one WebSocket at /api/admin/events on the page's own origin,
// authenticated by the admin session cookie. Every message is a JSON text frame
// `{id, type, at, data}`; `id` (when not null) resumes a dropped connection with `?since=`.

export const EVENTS_PATH = "/api/admin/events";

/** Close codes the server uses; any other code is worth another try. */
export const CLOSE_UNAUTHORIZED = 4401; // no session, or it ended: do not reconnect
export const CLOSE_FORBIDDEN_ORIGIN = 4403; // a foreign Origin: do not reconnect
export const CLOSE_TRY_AGAIN_LATER = 1013; // dropped as a slow reader: reconnect with `since`

export type FinishedJobStatus = "completed" | "failed" | "cancelled";

export interface AdminEventData {
  hello: { resumed: boolean };
  resync: Record<string, never>;
  ping: Record<string, never>;
  "job.queued": { jobId: string; kind: string };
  "job.started": { jobId: string; kind: string; epochs: number | null };
  "job.epoch": {
    jobId: string;
    epoch: number;
    /** Planned; null for a kind of job that plans none. */
    epochs: number | null;
    loss: number;
    trainAccuracy: number;
    validationAccuracy: number;
    seconds: number;
  };
  "job.finished": { jobId: string; kind: string; status: FinishedJobStatus; modelId: string | null; error: string | null };
  "model.activated": { modelId: string; version: number };
  "drawings.stats": { drawings: number; perShape: Record<string, number>; perMinute: { minute: string; count: number }[] };
  /** An A/B experiment's counts changed (at most once a second a process), or it started or ended. */
  "experiment.updated": { experimentId: string };
}

export type AdminEventType = keyof AdminEventData;

/** One server message; `at` is when it happened at its source (ISO 8601). */
export type AdminEvent = {
  [K in AdminEventType]: { id: string | null; type: K; at: string; data: AdminEventData[K] };
}[AdminEventType];

export type AdminEventOf<K extends AdminEventType> = Extract<AdminEvent, { type: K }>;

/** The socket's URL on this page's origin (wss on an https page), resuming after `since`. */
export function eventsUrl(since: string | null = null, location: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = since ? `?since=${encodeURIComponent(since)}` : "";
  return `${scheme}//${location.host}${EVENTS_PATH}${query}`;
}

/** A message as an event, or null for anything that is not one (a later type is passed on:
 * subscribers match on `type` and ignore what they do not know). */
export function parseAdminEvent(text: unknown): AdminEvent | null {
  if (typeof text !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { id, type, at, data } = value as Record<string, unknown>;
  if (typeof type !== "string" || (id !== null && typeof id !== "string")) return null;
  if (typeof data !== "object" || data === null) return null;
  return { id, type, at: typeof at === "string" ? at : "", data } as AdminEvent;
}
