import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { DrawingCreated, DrawingSubmission } from "../api/collection";
import { useDrawingSubmit } from "./useDrawingSubmit";

const SESSION = "3f0c2a4e-8a51-4d0f-9d8e-2b1f5c7e9a10";

const drawing = (x = 10): DrawingSubmission => ({
  shapeId: "circle",
  strokeData: { canvas: { width: 400, height: 400 }, strokes: [[[x, 10, 0], [20, 20, 16]]], duration_ms: 16, device: "mouse" },
});

const created: DrawingCreated = {
  id: "0b8a3f0e-6c1d-4f55-9d62-1a2b3c4d5e6f",
  shape: { id: "circle", name: "circle" },
  qualityScore: 0.82,
  nextShape: { id: "square", name: "square" },
  userStats: { total: 3, today: 2 },
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

const unavailable = () =>
  json(503, { error: "SERVICE_UNAVAILABLE", message: "blob store is down", requestId: "r1", retryAfter: 5 }, { "Retry-After": "5" });

function stubFetch(...answers: Array<() => Response>) {
  const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => {
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const headersOf = (call: [string, RequestInit]) => call[1].headers as Headers;

describe("useDrawingSubmit", () => {
  it("goes idle → submitting → success and reports the result", async () => {
    const fetchMock = stubFetch(() => json(201, created));
    const onSuccess = vi.fn();
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, onSuccess, now: () => 1700000000000 }));
    expect(result.current.state).toEqual({ status: "idle" });

    let pending!: Promise<unknown>;
    act(() => {
      pending = result.current.submit(drawing());
    });
    expect(result.current.state.status).toBe("submitting");
    await act(() => pending);

    expect(result.current.state).toEqual({ status: "success", result: created });
    expect(onSuccess).toHaveBeenCalledWith(created);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/drawings");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("include");
    expect(headersOf(fetchMock.mock.calls[0]).get("X-Session-Id")).toBe(SESSION);
    expect(headersOf(fetchMock.mock.calls[0]).get("X-Idempotency-Key")).toBe(`${SESSION}:circle:1700000000000`);
    expect(JSON.parse(init.body as string)).toEqual({ shapeId: "circle", strokeData: drawing().strokeData });
  });

  it("retries a failed drawing with the same idempotency key", async () => {
    const fetchMock = stubFetch(unavailable, () => json(201, created));
    let clock = 1000;
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, now: () => clock++ }));

    await act(() => result.current.submit(drawing()));
    const { state } = result.current;
    expect(state.status).toBe("error");
    if (state.status !== "error") return;
    expect(state.error).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE", retryable: true, retryAfter: 5 });

    await act(() => result.current.retry());
    expect(result.current.state.status).toBe("success");
    const keys = fetchMock.mock.calls.map((call) => headersOf(call).get("X-Idempotency-Key"));
    expect(keys).toEqual([`${SESSION}:circle:1000`, `${SESSION}:circle:1000`]);
  });

  it("keeps the key when the same drawing is submitted again after a failure", async () => {
    const fetchMock = stubFetch(unavailable, () => json(201, created));
    let clock = 1000;
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, now: () => clock++ }));
    await act(() => result.current.submit(drawing()));
    await act(() => result.current.submit(drawing()));
    const keys = fetchMock.mock.calls.map((call) => headersOf(call).get("X-Idempotency-Key"));
    expect(keys[0]).toBe(keys[1]);
  });

  it("gives a new drawing a new key", async () => {
    const fetchMock = stubFetch(unavailable, () => json(201, created), () => json(201, created));
    let clock = 1000;
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, now: () => clock++ }));
    await act(() => result.current.submit(drawing(10)));
    await act(() => result.current.submit(drawing(99)));
    await act(() => result.current.submit(drawing(99)));
    const keys = fetchMock.mock.calls.map((call) => headersOf(call).get("X-Idempotency-Key"));
    expect(keys).toEqual([`${SESSION}:circle:1000`, `${SESSION}:circle:1001`, `${SESSION}:circle:1002`]);
  });

  it("reports a rejected drawing as not retryable, with the field at fault", async () => {
    stubFetch(() =>
      json(400, {
        error: "VALIDATION_ERROR",
        message: "strokeData.strokes: too short",
        requestId: "r2",
        details: [{ field: "strokeData.strokes", message: "too short" }],
      }),
    );
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION }));
    await act(() => result.current.submit(drawing()));
    await waitFor(() => expect(result.current.state.status).toBe("error"));
    const { state } = result.current;
    if (state.status !== "error") return;
    expect(state.error).toMatchObject({ status: 400, retryable: false, requestId: "r2" });
    expect(state.error.details).toEqual([{ field: "strokeData.strokes", message: "too short" }]);
  });

  it("turns a network failure into a retryable error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION }));
    await act(() => result.current.submit(drawing()));
    const { state } = result.current;
    expect(state.status === "error" && state.error.retryable).toBe(true);
  });

  it("sends one request when submit is pressed twice", async () => {
    const fetchMock = stubFetch(() => json(201, created), () => json(201, created));
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION }));
    await act(() => Promise.all([result.current.submit(drawing()), result.current.submit(drawing())]));
    expect(fetchMock).toHaveBeenCalledOnce();
  });
});
