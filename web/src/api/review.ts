// Crowd quality control for admins: the review queue (most doubtful drawing first), the
// label-issue scan that feeds it, and the contributors ranked by how far they are trusted.
import { admin, adminFetch, type JobStatus, type Page, type ShapeRef, type VoteCounts } from "./admin";

export interface LabelIssueReason {
  /** Label quality from the latest scan: low means the label looks wrong. */
  score: number;
  suggestedShape: ShapeRef;
  flagged: boolean;
}

export interface ReviewReasons {
  labelIssue: LabelIssueReason | null;
  /** The active model's probability of the label when the drawing arrived. */
  modelAgreement: number | null;
  modelShape: string | null;
  /** The crowd's probability that the label is right; null with too few votes. */
  consensus: number | null;
  votes: VoteCounts;
  authorTrust: number | null;
}

export interface ReviewItem {
  drawingId: string;
  shape: ShapeRef;
  sessionId: string | null;
  source: string;
  createdAt: string;
  flagged: boolean;
  /** 0 to 1: the strongest reason to doubt the label; the queue is ranked by it. */
  doubt: number;
  reasons: ReviewReasons;
}

export interface ReviewQueuePage extends Page<ReviewItem> {
  total: number;
}

export type ReviewAction = "accept" | "flag" | "relabel";

export interface ReviewDecision {
  action: ReviewAction;
  /** The new label; only for "relabel". */
  shapeId?: string;
  reason?: string;
}

export interface ReviewResult {
  drawingId: string;
  action: ReviewAction;
  shape: ShapeRef;
  flagged: boolean;
  reviewedAt: string;
}

export interface LabelIssue {
  drawingId: string;
  givenShape: string;
  suggestedShape: string;
  score: number;
  /** cleanlab's verdict: the label is probably wrong. */
  flagged?: boolean;
}

export interface LabelIssueList {
  items: LabelIssue[];
  /** When the latest scan finished; null before the first. */
  scannedAt: string | null;
  /** How many drawings that scan looked at. */
  drawings: number;
}

export interface LabelIssueScanConfig {
  folds?: number;
  epochs?: number;
  /** All active shapes when omitted. */
  shapes?: string[];
}

export interface LabelIssueScanJob {
  id: string;
  kind: "label_issues";
  status: JobStatus;
  error?: string | null;
  createdAt?: string;
  finishedAt?: string | null;
}

export interface Contributor {
  sessionId: string;
  drawings: number;
  votes: number;
  trust: number | null;
  skill: number | null;
  confirmation: number | null;
  lastSeenAt: string | null;
}

/** "trust" puts the least trusted first; a leading "-" sorts from the most. */
export type ContributorSort = "trust" | "-trust" | "drawings" | "-drawings" | "votes" | "-votes";

export function fetchReviewQueue(query: { limit?: number; cursor?: string } = {}, signal?: AbortSignal): Promise<ReviewQueuePage> {
  return admin<ReviewQueuePage>("/review", { query: { ...query }, signal });
}

export function reviewDrawing(drawingId: string, decision: ReviewDecision): Promise<ReviewResult> {
  return admin<ReviewResult>(`/review/${encodeURIComponent(drawingId)}`, { method: "POST", body: decision });
}

export function listLabelIssues(query: { limit?: number } = {}, signal?: AbortSignal): Promise<LabelIssueList> {
  return admin<LabelIssueList>("/label-issues", { query: { ...query }, signal });
}

/** `created` is false when the same scan was already pending, queued or running (200). */
export async function startLabelIssueScan(config: LabelIssueScanConfig = {}): Promise<{ job: LabelIssueScanJob; created: boolean }> {
  const response = await adminFetch<LabelIssueScanJob>("/label-issues/scan", { method: "POST", body: config });
  return { job: response.data, created: response.status !== 200 };
}

export function listContributors(
  query: { sort?: ContributorSort; limit?: number; cursor?: string } = {},
  signal?: AbortSignal,
): Promise<Page<Contributor>> {
  return admin<Page<Contributor>>("/contributors", { query: { ...query }, signal });
}
