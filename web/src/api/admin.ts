// The admin API (`/api/admin/*`). The session is an httpOnly cookie the browser sends by
// itself; the CSRF token that mutations must echo in `X-CSRF-Token` comes with log-in and
// with `GET /me`, and is kept in this module's memory only (never in storage).
import type { SelectionFilters } from "./filters";
import { apiFetch, apiRequest, isApiError, type RequestOptions } from "./client";
import type { CanvasSize, Device, StrokeData } from "./strokes";

export interface AdminUser {
  id: string;
  name: string;
  email: string;
}

export interface AdminSession {
  admin: AdminUser;
  csrfToken: string;
}

export interface ShapeRef {
  id: string;
  name: string;
}

export interface DrawingSummary {
  id: string;
  sessionId: string | null;
  shape: ShapeRef;
  canvas: CanvasSize;
  strokeCount: number;
  pointCount: number;
  durationMs: number;
  device: Device;
  qualityScore: number;
  source: string;
  flagged: boolean;
  flagReason: string | null;
  createdAt: string;
  /** What the active model made of the drawing on arrival; null when no model answered. */
  modelAgreement?: number | null;
  modelShape?: string | null;
  modelVersion?: number | null;
}

export interface VoteCounts {
  yes: number;
  no: number;
  unsure: number;
}

export interface DrawingDetail extends DrawingSummary {
  /** Null only when the stored strokes are missing. */
  strokeData: StrokeData | null;
  /** Players' answers to "Is this a <shape>?" under the drawing's current label. */
  votes: VoteCounts;
  /** The crowd's probability that the label is right; null with too few votes. */
  consensus?: number | null;
  authorTrust?: number | null;
  /** When an admin last decided on it in the review queue. */
  reviewedAt?: string | null;
  /** Every label it had before, oldest first. */
  labelHistory?: LabelChange[];
  /** Drawn together: each participant who drew, in the order of their first stroke; empty when drawn alone. */
  contributors?: DrawingContributor[];
  /** Drawn together: for each stroke, the index into `contributors` of who drew it; null when drawn alone. */
  strokeAuthors?: number[] | null;
}

/** One participant in a drawing made together: how the room showed them ("Guest 2"), their ink
 * there ("#rrggbb") and the indices of the strokes they drew, into `strokeData.strokes`. */
export interface DrawingContributor {
  sessionId: string;
  name: string;
  color: string;
  strokes: number[];
}

export interface LabelChange {
  fromShape: string;
  toShape: string;
  changedAt: string;
  /** The admin who changed it. */
  changedBy: string | null;
}

export interface DrawingPage {
  items: DrawingSummary[];
  nextCursor: string | null;
  total: number;
  totalIsEstimate: boolean; // `total` is an estimate (a broad filter over a big collection)
}

export interface DrawingFilters {
  shape?: string;
  source?: string;
  flagged?: boolean;
  minQuality?: number;
  maxQuality?: number;
  device?: Device;
  sessionId?: string;
  createdFrom?: string;
  createdTo?: string;
}

export interface DrawingQuery extends DrawingFilters {
  sort?: "created_at" | "quality";
  order?: "desc" | "asc";
  limit?: number;
  cursor?: string;
}

export interface BulkFlagResult {
  flagged: number;
  unknownIds: string[];
}

export interface Stats {
  totals: { drawings: number; flagged: number; unflagged: number; flaggedShare: number };
  perShape: { shape: string; name: string; active: boolean; total: number; unflagged: number }[];
  /** The last 30 UTC days, oldest first. */
  perDay: { date: string; total: number }[];
  qualityHistogram: { start: number; end: number; total: number }[];
  contributorSessions: number;
  bySource: { source: string; total: number }[];
  byDevice: { device: string; total: number }[];
}

export interface AdminShape {
  id: string;
  name: string;
  closed: boolean;
  active: boolean;
  position: number;
  createdAt: string;
  total: number;
  unflagged: number;
}

export type ShapeCreate = Pick<AdminShape, "id" | "name"> & Partial<Pick<AdminShape, "closed" | "active">>;
export type ShapeUpdate = Partial<Pick<AdminShape, "name" | "active" | "closed">>;

export interface TrainingConfig extends SelectionFilters {
  epochs: number;
  /** All active shapes when omitted. */
  shapes?: string[];
  seed?: number | null;
  activate?: boolean;
}

type OptionalFilter = "minAgreement" | "minConsensus" | "minTrust";

export type JobStatus = "pending" | "queued" | "running" | "completed" | "failed" | "cancelled";
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["pending", "queued", "running"];

export interface EpochProgress {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  seconds: number;
}

export interface TrainingJob {
  id: string;
  status: JobStatus;
  /** The canonical config: defaults filled in, shapes spelled out and sorted; the optional filters only when set. */
  config: Required<Omit<TrainingConfig, OptionalFilter>> & Pick<TrainingConfig, OptionalFilter>;
  configHash: string;
  /** `notActivated`: why the trained model was not made active although the job asked (or it was the first). */
  progress: { epochs: EpochProgress[]; cancelRequested: boolean; notActivated?: string | null };
  attempts: number;
  error: string | null;
  modelId: string | null;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEntry {
  id: string;
  adminId: string | null;
  adminEmail: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface ImportSummary {
  lines: number;
  imported: number;
  duplicates: number;
  failed: number;
  errors: { line: number; field: string; message: string }[];
}

const BASE = "/api/admin";

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called when any admin request answers 401: the session has ended. */
export function onAdminUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function withCsrf(options: RequestOptions): RequestOptions {
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  if (method === "GET" || !csrfToken) return options;
  return { ...options, headers: { ...options.headers, "X-CSRF-Token": csrfToken } };
}

/** An admin request (session cookie, CSRF token); for the other admin API files. */
export async function adminFetch<T>(path: string, options: RequestOptions = {}) {
  try {
    return await apiFetch<T>(`${BASE}${path}`, withCsrf(options));
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      csrfToken = null;
      unauthorizedListeners.forEach((listener) => listener());
    }
    throw error;
  }
}

export async function admin<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await adminFetch<T>(path, options)).data;
}

const keep = (session: AdminSession): AdminSession => {
  csrfToken = session.csrfToken;
  return session;
};

// Session

export async function login(email: string, password: string, signal?: AbortSignal): Promise<AdminSession> {
  // Not through `admin()`: a 401 here is a wrong password, not an ended session.
  return keep(await apiRequest<AdminSession>(`${BASE}/login`, { method: "POST", body: { email, password }, signal }));
}

export async function fetchSession(signal?: AbortSignal): Promise<AdminSession> {
  return keep(await admin<AdminSession>("/me", { signal }));
}

export async function logout(): Promise<void> {
  try {
    await admin<void>("/logout", { method: "POST" });
  } finally {
    csrfToken = null;
  }
}

// Drawings

export function listDrawings(query: DrawingQuery = {}, signal?: AbortSignal): Promise<DrawingPage> {
  return admin<DrawingPage>("/drawings", { query: { ...query }, signal });
}

export function fetchDrawing(id: string, signal?: AbortSignal): Promise<DrawingDetail> {
  return admin<DrawingDetail>(`/drawings/${encodeURIComponent(id)}`, { signal });
}

export function flagDrawing(id: string, reason: string): Promise<DrawingSummary> {
  return admin<DrawingSummary>(`/drawings/${encodeURIComponent(id)}/flag`, { method: "POST", body: { reason } });
}

export function unflagDrawing(id: string): Promise<DrawingSummary> {
  return admin<DrawingSummary>(`/drawings/${encodeURIComponent(id)}/unflag`, { method: "POST" });
}

export function flagDrawings(ids: string[], reason: string): Promise<BulkFlagResult> {
  return admin<BulkFlagResult>("/drawings/flag", { method: "POST", body: { ids, reason } });
}

export function deleteDrawing(id: string): Promise<void> {
  return admin<void>(`/drawings/${encodeURIComponent(id)}`, { method: "DELETE" });
}

// Statistics, shapes, audit, export and import

export function fetchStats(signal?: AbortSignal): Promise<Stats> {
  return admin<Stats>("/stats", { signal });
}

export function listShapes(signal?: AbortSignal): Promise<AdminShape[]> {
  return admin<AdminShape[]>("/shapes", { signal });
}

export function createShape(shape: ShapeCreate): Promise<AdminShape> {
  return admin<AdminShape>("/shapes", { method: "POST", body: shape });
}

export function updateShape(id: string, changes: ShapeUpdate): Promise<AdminShape> {
  return admin<AdminShape>(`/shapes/${encodeURIComponent(id)}`, { method: "PATCH", body: changes });
}

export function listAuditEntries(
  query: { limit?: number; cursor?: string; action?: string } = {},
  signal?: AbortSignal,
): Promise<Page<AuditEntry>> {
  return admin<Page<AuditEntry>>("/audit", { query: { ...query }, signal });
}

/** A link to download the drawings as JSON Lines (the browser sends the cookie). */
export function exportUrl(options: { format?: "ndjson" | "quickdraw"; shapes?: string[]; includeFlagged?: boolean; source?: string } = {}): string {
  const params = new URLSearchParams();
  if (options.format) params.set("format", options.format);
  for (const shape of options.shapes ?? []) params.append("shape", shape);
  if (options.includeFlagged) params.set("includeFlagged", "true");
  if (options.source) params.set("source", options.source);
  const search = params.toString();
  return `${BASE}/export${search ? `?${search}` : ""}`;
}

export function importDrawings(file: Blob, source?: string): Promise<ImportSummary> {
  return admin<ImportSummary>("/import", {
    method: "POST",
    body: file,
    headers: { "Content-Type": "application/x-ndjson" },
    query: { source },
  });
}

// Training

/** `created` is false when the same config was already pending, queued or running. */
export async function startTraining(config: TrainingConfig): Promise<{ job: TrainingJob; created: boolean }> {
  const response = await adminFetch<TrainingJob>("/training/start", { method: "POST", body: config });
  return { job: response.data, created: response.status === 201 };
}

export function listTrainingJobs(
  query: { limit?: number; cursor?: string; status?: JobStatus } = {},
  signal?: AbortSignal,
): Promise<Page<TrainingJob>> {
  return admin<Page<TrainingJob>>("/training/jobs", { query: { ...query }, signal });
}

export function fetchTrainingJob(id: string, signal?: AbortSignal): Promise<TrainingJob> {
  return admin<TrainingJob>(`/training/jobs/${encodeURIComponent(id)}`, { signal });
}

export function cancelTrainingJob(id: string): Promise<TrainingJob> {
  return admin<TrainingJob>(`/training/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST" });
}
