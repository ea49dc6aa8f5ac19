// A contributor's rights over their own drawings, keyed by the game's anonymous session id:
// a copy of every drawing they made, and their withdrawal.
import { ApiError, apiRequest } from "./client";

export interface Withdrawal {
  /** The session's drawings deleted, strokes included. */
  drawings: number;
  /** The session's verification answers deleted. */
  votes: number;
}

/** The name the server gives the export, and the one the browser saves it under. */
export const EXPORT_FILENAME = "my-drawings.jsonl";

/** An error answer read from the project's envelope. The export is read as a Blob, so it
 * cannot go through apiRequest, which parses anything that says "json" (x-ndjson does). */
async function exportError(response: Response): Promise<ApiError> {
  const envelope = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const retryAfter = Number(response.headers.get("Retry-After") ?? Number.NaN);
  return new ApiError({
    status: response.status,
    code: typeof envelope.error === "string" ? envelope.error : `HTTP_${response.status}`,
    message: typeof envelope.message === "string" ? envelope.message : `The server answered ${response.status}.`,
    details: Array.isArray(envelope.details) ? envelope.details : undefined,
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    requestId: typeof envelope.requestId === "string" ? envelope.requestId : undefined,
  });
}

/** Every drawing this session made, as JSON Lines (one drawing a line, oldest first). */
export async function exportMyDrawings(sessionId: string, signal?: AbortSignal): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch("/api/contributors/me/export", {
      headers: { Accept: "application/x-ndjson", "X-Session-Id": sessionId },
      credentials: "include",
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError({
      status: 0,
      code: "NETWORK_ERROR",
      message: "The server could not be reached. Check your connection and try again.",
    });
  }
  if (!response.ok) throw await exportError(response);
  return response.blob();
}

/** Delete every drawing this session made, its answers and its stats. Asking again is
 * harmless: it answers zero. */
export function deleteMyDrawings(sessionId: string): Promise<Withdrawal> {
  return apiRequest<Withdrawal>("/api/contributors/me", { method: "DELETE", headers: { "X-Session-Id": sessionId } });
}
