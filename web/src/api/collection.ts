import { apiRequest } from "./client";
import type { StrokeData } from "./strokes";

export interface ShapeRef {
  id: string;
  name: string;
}

export interface Shape extends ShapeRef {
  closed: boolean;
}

export interface UserStats {
  /** Drawings this session has contributed. */
  total: number;
  /** Drawings this session has contributed since 00:00 UTC. */
  today: number;
}

export interface DrawingCreated {
  id: string;
  shape: ShapeRef;
  /** Geometry, capped by the model's agreement when a model answered. */
  qualityScore: number;
  /** The model's probability that this is the prompted shape; null when no model answered. */
  modelAgreement?: number | null;
  /** What the model sees in the drawing, when a model answered. */
  modelShape?: ShapeRef | null;
  nextShape: ShapeRef;
  userStats: UserStats;
}

export interface DrawingSubmission {
  shapeId: string;
  strokeData: StrokeData;
}

export interface ContributorHeaders {
  sessionId: string;
  /** `{sessionId}:{shapeId}:{timestamp}`; a retry with the same key gets the first answer. */
  idempotencyKey: string;
}

export function listShapes(signal?: AbortSignal): Promise<Shape[]> {
  return apiRequest<Shape[]>("/api/shapes", { signal });
}

export function fetchNextShape(sessionId: string, signal?: AbortSignal): Promise<ShapeRef> {
  return apiRequest<ShapeRef>("/api/shapes/next", { headers: { "X-Session-Id": sessionId }, signal });
}

export function submitDrawing(drawing: DrawingSubmission, contributor: ContributorHeaders): Promise<DrawingCreated> {
  return apiRequest<DrawingCreated>("/api/drawings", {
    method: "POST",
    body: { shapeId: drawing.shapeId, strokeData: drawing.strokeData },
    headers: { "X-Session-Id": contributor.sessionId, "X-Idempotency-Key": contributor.idempotencyKey },
  });
}
