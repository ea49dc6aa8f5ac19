// A contributor's rights over their own drawings, keyed by the game's anonymous session id:
// a copy of every drawing they made, and their withdrawal.
import { apiRequest } from "./client";

export interface Withdrawal {
  /** The session's drawings deleted, strokes included. */
  drawings: number;
  /** The session's verification answers deleted. */
  votes: number;
}

/** The name the server gives the export, and the one the browser saves it under. */
export const EXPORT_FILENAME = "my-drawings.jsonl";

/** Every drawing this session made, as JSON Lines (one drawing a line, oldest first). */
export async function exportMyDrawings(sessionId: string, signal?: AbortSignal): Promise<Blob> {
  const text = await apiRequest<string | undefined>("/api/contributors/me/export", {
    headers: { Accept: "application/x-ndjson", "X-Session-Id": sessionId },
    signal,
  });
  return new Blob([text ?? ""], { type: "application/x-ndjson" });
}

/** Delete every drawing this session made, its answers and its stats. Asking again is
 * harmless: it answers zero. */
export function deleteMyDrawings(sessionId: string): Promise<Withdrawal> {
  return apiRequest<Withdrawal>("/api/contributors/me", { method: "DELETE", headers: { "X-Session-Id": sessionId } });
}
