// Direct uploads: a large drawing's strokes go straight to the blob store instead of inside
// `POST /api/drawings`. Three steps, all under the drawing's one idempotency key:
//   1. POST /api/drawings/uploads {shapeId, size, sha256} → where to put the bytes;
//   2. PUT the exact bytes there (the app itself, or a pre-signed URL on another origin);
//   3. POST /api/drawings {shapeId, uploadId} → the same 201 body as an inline drawing.
import { ApiError, apiRequest, fetchOrNetworkError } from "./client";
import type { ContributorHeaders, DrawingCreated } from "./collection";
import type { StrokeData } from "./strokes";

export interface UploadRequest {
  shapeId: string;
  /** Byte length of the strokeData JSON text (UTF-8). */
  size: number;
  /** Lowercase hex SHA-256 of those bytes. */
  sha256: string;
}

export interface UploadTicket {
  uploadId: string;
  uploadUrl: string;
  method: "PUT";
  /** Sent with the PUT as they are (the store checks some of them, e.g. the content type). */
  headers: Record<string, string>;
  expiresAt: string;
  blobKey: string;
}

/** A drawing's strokeData as the bytes that are sent (its JSON text, UTF-8). */
export function encodeStrokeData(strokeData: StrokeData | string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(typeof strokeData === "string" ? strokeData : JSON.stringify(strokeData));
}

/** Whether this browser can hash an upload (crypto.subtle: secure contexts only). */
export function canUploadDirectly(): boolean {
  return typeof globalThis.crypto?.subtle?.digest === "function";
}

/** Whether a drawing of `size` bytes goes by direct upload under the operator's threshold. */
export function goesDirect(size: number, directUploadBytes: number): boolean {
  return directUploadBytes > 0 && size >= directUploadBytes && canUploadDirectly();
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const contributorHeaders = (contributor: ContributorHeaders) => ({
  "X-Session-Id": contributor.sessionId,
  "X-Idempotency-Key": contributor.idempotencyKey,
});

export function requestUpload(request: UploadRequest, contributor: ContributorHeaders): Promise<UploadTicket> {
  return apiRequest<UploadTicket>("/api/drawings/uploads", {
    method: "POST",
    body: request,
    headers: contributorHeaders(contributor),
  });
}

export function finalizeUpload(shapeId: string, uploadId: string, contributor: ContributorHeaders): Promise<DrawingCreated> {
  return apiRequest<DrawingCreated>("/api/drawings", {
    method: "POST",
    body: { shapeId, uploadId },
    headers: contributorHeaders(contributor),
  });
}

/** What a failed PUT says: the app's JSON envelope, or an S3 XML error (`<Code>`, `<Message>`). */
async function putError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let code = `HTTP_${response.status}`;
  let message = "";
  let requestId: string | undefined;
  try {
    const envelope = JSON.parse(text) as Record<string, unknown>;
    if (typeof envelope.error === "string") code = envelope.error;
    if (typeof envelope.message === "string") message = envelope.message;
    if (typeof envelope.requestId === "string") requestId = envelope.requestId;
  } catch {
    code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? code;
    message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? "";
  }
  return new ApiError({
    status: response.status,
    code,
    message: message || `The drawing could not be uploaded: the store answered ${response.status} ${response.statusText}`.trim(),
    requestId: requestId ?? response.headers.get("X-Request-Id") ?? undefined,
  });
}

/** PUT the bytes where the ticket says, with its headers and no cookies or credentials. */
export async function putUpload(ticket: UploadTicket, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const response = await fetchOrNetworkError(ticket.uploadUrl, {
    method: ticket.method ?? "PUT",
    headers: ticket.headers,
    body: bytes,
    credentials: "omit",
  });
  if (!response.ok) throw await putError(response);
}

/** An upload past its expiry: 410 from the app; S3 refuses an expired pre-signed PUT with 403. */
export function isUploadExpired(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 410 || (error.status === 403 && error.code === "AccessDenied" && /expired/i.test(error.message));
}

/** The server cannot hand out uploads (on S3 without keys to sign with): send inline instead. */
export function isDirectUploadUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && error.code === "DIRECT_UPLOAD_UNAVAILABLE";
}

/** The three steps; an upload that expired on the way is started over once, with a new
 * upload under the same key. Any other failure is the caller's, as an inline one is. */
export async function submitByUpload(
  shapeId: string,
  bytes: Uint8Array<ArrayBuffer>,
  contributor: ContributorHeaders,
): Promise<DrawingCreated> {
  const request: UploadRequest = { shapeId, size: bytes.byteLength, sha256: await sha256Hex(bytes) };
  for (let restarted = false; ; restarted = true) {
    try {
      const ticket = await requestUpload(request, contributor);
      await putUpload(ticket, bytes);
      return await finalizeUpload(shapeId, ticket.uploadId, contributor);
    } catch (error) {
      if (restarted || !isUploadExpired(error)) throw error;
    }
  }
}
