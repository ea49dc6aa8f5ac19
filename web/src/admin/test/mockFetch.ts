// A fetch stand-in for the admin tests: answers by "METHOD path" and records each call.
import { vi } from "vitest";

export interface Call {
  method: string;
  path: string;
  /** The query string, "?a=1" or "". */
  search: string;
  headers: Headers;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type Reply = { status: number; body?: unknown } | ((call: Call) => { status: number; body?: unknown });

export function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function mockFetch(routes: Record<string, Reply>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost");
    const method = init.method ?? "GET";
    const call: Call = {
      method,
      path: url.pathname,
      search: url.search,
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : init.body,
      credentials: init.credentials,
    };
    calls.push(call);
    const reply = routes[`${method} ${url.pathname}`];
    if (!reply) return json(404, { error: "NOT_FOUND", message: `no mock for ${method} ${url.pathname}`, requestId: "t" });
    const { status, body } = typeof reply === "function" ? reply(call) : reply;
    return json(status, body);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock, routes };
}

export const ADMIN = { id: "00000000-0000-4000-8000-000000000001", name: "Ada", email: "ada@example.com" };
export const SESSION = { admin: ADMIN, csrfToken: "token-123" };
export const UNAUTHORIZED = { status: 401, body: { error: "AUTHENTICATION_REQUIRED", message: "Authentication required", requestId: "r1" } };
