// Peer verification: someone else's drawing and the question "Is this a star?".
import { apiFetch, apiRequest } from "./client";
import type { ShapeRef } from "./collection";
import type { StrokeData } from "./strokes";

export type VerificationAnswer = "yes" | "no" | "unsure";

export interface VerificationTask {
  id: string;
  drawingId: string;
  shape: ShapeRef;
  strokeData: StrokeData;
}

export interface VerificationVote {
  id: string;
  taskId: string;
  drawingId: string;
  answer: VerificationAnswer;
  createdAt: string;
}

export interface VerificationPolicy {
  /** One game turn in `every` is a verification turn; 0: none. */
  every: number;
}

export function fetchVerificationPolicy(signal?: AbortSignal): Promise<VerificationPolicy> {
  return apiRequest<VerificationPolicy>("/api/verifications/policy", { signal });
}

/** The next drawing for this session to verify, or null when none is waiting (204). */
export async function fetchNextVerification(sessionId: string, signal?: AbortSignal): Promise<VerificationTask | null> {
  const response = await apiFetch<VerificationTask | undefined>("/api/verifications/next", {
    headers: { "X-Session-Id": sessionId },
    signal,
  });
  return response.status === 204 || !response.data ? null : response.data;
}

/** Answer a task; the same answer sent again is answered as the first was. */
export function answerVerification(sessionId: string, taskId: string, answer: VerificationAnswer): Promise<VerificationVote> {
  return apiRequest<VerificationVote>(`/api/verifications/${encodeURIComponent(taskId)}`, {
    method: "POST",
    body: { answer },
    headers: { "X-Session-Id": sessionId },
  });
}
