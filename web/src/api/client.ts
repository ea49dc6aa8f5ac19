// The one fetch wrapper: JSON in and out, cookies included, and every failure turned into
// an ApiError read from the server's envelope `{error, message, requestId, details?, retryAfter?}`.

export interface ErrorDetail {
  field: string;
  message: string;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  details?: ErrorDetail[];
  retryable?: boolean;
  retryAfter?: number;
  requestId?: string;
}

// 409 (key in flight), 429 and 503 (Retry-After) are the server's retryable answers; a
// network failure (status 0) and a gateway error are worth another try as well.
const RETRYABLE_STATUSES = new Set([0, 408, 409, 429, 502, 503, 504]);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly retryable: boolean;
  readonly retryAfter?: number;
  readonly requestId?: string;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryable = init.retryable ?? RETRYABLE_STATUSES.has(init.status);
    this.retryAfter = init.retryAfter;
    this.requestId = init.requestId;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Any thrown value as an ApiError, so components render one kind of error. */
export function toApiError(value: unknown): ApiError {
  if (value instanceof ApiError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new ApiError({ status: 0, code: "CLIENT_ERROR", message, retryable: false });
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  method?: HttpMethod;
  /** Sent as JSON unless it is FormData, a Blob or a string. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

let baseUrl = "";

/** Where the API lives; same origin unless set (tests, a split deployment). */
export function setApiBaseUrl(url: string): void {
  baseUrl = url.replace(/\/$/, "");
}

function buildUrl(path: string, query?: RequestOptions["query"]): string {
  const url = `${baseUrl}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

function encodeBody(body: unknown, headers: Headers): BodyInit | undefined {
  if (body === undefined) return undefined;
  if (body instanceof FormData || body instanceof Blob || typeof body === "string") return body;
  if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  return JSON.stringify(body);
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const type = response.headers.get("Content-Type") ?? "";
  const text = await response.text();
  if (!text) return undefined;
  // JSON Lines (an export) stay text: a one-line file must not come back as an object.
  if (type.includes("json") && !type.includes("ndjson")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function errorFromResponse(response: Response, body: unknown): ApiError {
  const envelope = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const retryAfter =
    typeof envelope.retryAfter === "number" ? envelope.retryAfter : parseRetryAfter(response.headers.get("Retry-After"));
  return new ApiError({
    status: response.status,
    code: typeof envelope.error === "string" ? envelope.error : `HTTP_${response.status}`,
    message:
      typeof envelope.message === "string"
        ? envelope.message
        : typeof body === "string" && body
          ? body.slice(0, 200)
          : `The server answered ${response.status} ${response.statusText}`.trim(),
    details: Array.isArray(envelope.details) ? (envelope.details as ErrorDetail[]) : undefined,
    retryable: typeof envelope.retryable === "boolean" ? envelope.retryable : undefined,
    retryAfter,
    requestId: typeof envelope.requestId === "string" ? envelope.requestId : (response.headers.get("X-Request-Id") ?? undefined),
  });
}

/** The request with its status and headers; throws ApiError for anything but 2xx. */
/** `fetch`, with a failure to reach the server as the `NETWORK_ERROR` ApiError (an abort stays an abort). */
export async function fetchOrNetworkError(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError({
      status: 0,
      code: "NETWORK_ERROR",
      message: "The server could not be reached. Check your connection and try again.",
    });
  }
}

export async function apiFetch<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers({ Accept: "application/json", ...options.headers });
  const init: RequestInit = {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: encodeBody(options.body, headers),
    credentials: "include",
    signal: options.signal,
  };
  const response = await fetchOrNetworkError(buildUrl(path, options.query), init);
  const body = await readBody(response);
  if (!response.ok) throw errorFromResponse(response, body);
  return { data: body as T, status: response.status, headers: response.headers };
}

/** The parsed body of a successful request; throws ApiError otherwise. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await apiFetch<T>(path, options)).data;
}
