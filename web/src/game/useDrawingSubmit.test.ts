import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { DrawingCreated, DrawingSubmission } from "../api/collection";
import { sha256Hex } from "../api/uploads";
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

type FetchMock = ReturnType<typeof stubFetchWith>;

/** Answers the drawing's requests in turn; GET /api/game/settings answers `settings`. */
function stubFetchWith(settings: unknown, ...answers: Array<() => Response>) {
  const fetchMock = vi.fn(async (url: string, _init: RequestInit) => {
    if (url === "/api/game/settings") return json(200, settings);
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const stubFetch = (...answers: Array<() => Response>) => stubFetchWith({ liveGuess: false, directUploadBytes: 0 }, ...answers);

/** The requests made for the drawing, the settings' left out. */
const sent = (fetchMock: FetchMock) => fetchMock.mock.calls.filter(([url]) => url !== "/api/game/settings");

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
    const [url, init] = sent(fetchMock)[0];
    expect(url).toBe("/api/drawings");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("include");
    expect(headersOf(sent(fetchMock)[0]).get("X-Session-Id")).toBe(SESSION);
    expect(headersOf(sent(fetchMock)[0]).get("X-Idempotency-Key")).toBe(`${SESSION}:circle:1700000000000`);
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
    const keys = sent(fetchMock).map((call) => headersOf(call).get("X-Idempotency-Key"));
    expect(keys).toEqual([`${SESSION}:circle:1000`, `${SESSION}:circle:1000`]);
  });

  it("keeps the key when the same drawing is submitted again after a failure", async () => {
    const fetchMock = stubFetch(unavailable, () => json(201, created));
    let clock = 1000;
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, now: () => clock++ }));
    await act(() => result.current.submit(drawing()));
    await act(() => result.current.submit(drawing()));
    const keys = sent(fetchMock).map((call) => headersOf(call).get("X-Idempotency-Key"));
    expect(keys[0]).toBe(keys[1]);
  });

  it("gives a new drawing a new key", async () => {
    const fetchMock = stubFetch(unavailable, () => json(201, created), () => json(201, created));
    let clock = 1000;
    const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, now: () => clock++ }));
    await act(() => result.current.submit(drawing(10)));
    await act(() => result.current.submit(drawing(99)));
    await act(() => result.current.submit(drawing(99)));
    const keys = sent(fetchMock).map((call) => headersOf(call).get("X-Idempotency-Key"));
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
    expect(sent(fetchMock)).toHaveLength(1);
  });

  describe("by direct upload", () => {
    const sizeOf = (submission: DrawingSubmission) => new TextEncoder().encode(JSON.stringify(submission.strokeData)).byteLength;
    const ticket = (id = "u1") => ({
      uploadId: id,
      uploadUrl: `https://blobs.example.com/uploads/${id}?X-Amz-Signature=abc`,
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      expiresAt: "2030-01-01T00:10:00Z",
      blobKey: `drawings/circle/${id}.json`,
    });
    const stored = () => new Response(null, { status: 200 });
    const expired = () => json(410, { error: "UPLOAD_EXPIRED", message: "The upload expired", requestId: "r3" });
    const urls = (fetchMock: FetchMock) => sent(fetchMock).map(([url, init]) => `${init.method} ${url}`);

    it("uploads a drawing at the operator's threshold, then finalizes it, all under one key", async () => {
      const size = sizeOf(drawing());
      const fetchMock = stubFetchWith(
        { liveGuess: false, directUploadBytes: size },
        () => json(201, ticket()),
        stored,
        () => json(201, created),
      );
      const onSuccess = vi.fn();
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, onSuccess, now: () => 1700000000000 }));
      const before = result.current.submit;
      await waitFor(() => expect(result.current.submit).not.toBe(before)); // the settings came

      await act(() => result.current.submit(drawing()));
      expect(result.current.state).toEqual({ status: "success", result: created });
      expect(onSuccess).toHaveBeenCalledWith(created);
      expect(urls(fetchMock)).toEqual([
        "POST /api/drawings/uploads",
        `PUT ${ticket().uploadUrl}`,
        "POST /api/drawings",
      ]);
      const [request, put, finalize] = sent(fetchMock);
      const bytes = new TextEncoder().encode(JSON.stringify(drawing().strokeData));
      expect(JSON.parse(request[1].body as string)).toEqual({ shapeId: "circle", size, sha256: await sha256Hex(bytes) });
      expect(put[1].body).toEqual(bytes);
      expect(put[1].headers).toEqual({ "Content-Type": "application/json" });
      expect(put[1].credentials).toBe("omit");
      expect(JSON.parse(finalize[1].body as string)).toEqual({ shapeId: "circle", uploadId: "u1" });
      for (const call of [request, finalize]) {
        expect(headersOf(call).get("X-Session-Id")).toBe(SESSION);
        expect(headersOf(call).get("X-Idempotency-Key")).toBe(`${SESSION}:circle:1700000000000`);
      }
    });

    it("sends a drawing one byte under the threshold inline", async () => {
      const fetchMock = stubFetch(() => json(201, created));
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: sizeOf(drawing()) + 1 }));
      await act(() => result.current.submit(drawing()));
      expect(result.current.state.status).toBe("success");
      expect(urls(fetchMock)).toEqual(["POST /api/drawings"]);
      expect(JSON.parse(sent(fetchMock)[0][1].body as string)).toEqual({ shapeId: "circle", strokeData: drawing().strokeData });
    });

    it("sends inline when the threshold is 0 or the browser cannot hash", async () => {
      const fetchMock = stubFetch(() => json(201, created), () => json(201, created));
      const zero = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 0 }));
      await act(() => zero.result.current.submit(drawing(1)));
      vi.stubGlobal("crypto", {});
      const noSubtle = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1 }));
      await act(() => noSubtle.result.current.submit(drawing(2)));
      expect(urls(fetchMock)).toEqual(["POST /api/drawings", "POST /api/drawings"]);
    });

    it("starts over once with a new upload when the upload expired, under the same key", async () => {
      const fetchMock = stubFetch(
        () => json(201, ticket("u1")),
        stored,
        expired,
        () => json(201, ticket("u2")),
        stored,
        () => json(201, created),
      );
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1, now: () => 5 }));
      await act(() => result.current.submit(drawing()));
      expect(result.current.state).toEqual({ status: "success", result: created });
      expect(urls(fetchMock)).toEqual([
        "POST /api/drawings/uploads",
        `PUT ${ticket("u1").uploadUrl}`,
        "POST /api/drawings",
        "POST /api/drawings/uploads",
        `PUT ${ticket("u2").uploadUrl}`,
        "POST /api/drawings",
      ]);
      expect(JSON.parse(sent(fetchMock)[5][1].body as string)).toEqual({ shapeId: "circle", uploadId: "u2" });
      const keys = sent(fetchMock)
        .filter(([, init]) => init.method === "POST")
        .map((call) => headersOf(call).get("X-Idempotency-Key"));
      expect(new Set(keys)).toEqual(new Set([`${SESSION}:circle:5`]));
    });

    it("reports an upload that expires twice, as the server says", async () => {
      const fetchMock = stubFetch(() => json(201, ticket("u1")), stored, expired, () => json(201, ticket("u2")), stored, expired);
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1 }));
      await act(() => result.current.submit(drawing()));
      const { state } = result.current;
      expect(state.status === "error" && state.error).toMatchObject({
        status: 410,
        code: "UPLOAD_EXPIRED",
        message: "The upload expired",
      });
      expect(sent(fetchMock)).toHaveLength(6);
    });

    it("retries a failed upload from the start with the same key, and by upload again", async () => {
      const fetchMock = stubFetch(
        () => json(201, ticket("u1")),
        stored,
        unavailable,
        () => json(201, ticket("u2")),
        stored,
        () => json(201, created),
      );
      let clock = 1000;
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1, now: () => clock++ }));
      await act(() => result.current.submit(drawing()));
      const { state } = result.current;
      expect(state.status === "error" && state.error).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE", retryable: true });

      await act(() => result.current.retry());
      expect(result.current.state.status).toBe("success");
      expect(urls(fetchMock).filter((line) => line.startsWith("POST"))).toEqual([
        "POST /api/drawings/uploads", "POST /api/drawings", "POST /api/drawings/uploads", "POST /api/drawings",
      ]);
      const keys = sent(fetchMock)
        .filter(([, init]) => init.method === "POST")
        .map((call) => headersOf(call).get("X-Idempotency-Key"));
      expect(new Set(keys)).toEqual(new Set([`${SESSION}:circle:1000`]));
    });

    it("stops at a refusal for want of consent, as an inline drawing does", async () => {
      const refusal = () =>
        json(403, {
          error: "CONSENT_REQUIRED",
          message: "Agree to the terms first",
          requestId: "r4",
          details: [{ field: "termsVersion", message: "not agreed", termsVersion: "2" }],
        });
      const fetchMock = stubFetch(refusal);
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1 }));
      await act(() => result.current.submit(drawing()));
      const { state } = result.current;
      expect(state.status === "error" && state.error).toMatchObject({ status: 403, code: "CONSENT_REQUIRED", retryable: false });
      expect(urls(fetchMock)).toEqual(["POST /api/drawings/uploads"]);
    });

    it("sends the drawing inline, under the same key, where the server cannot hand out uploads", async () => {
      const cannot = () =>
        json(400, { error: "DIRECT_UPLOAD_UNAVAILABLE", message: "direct uploads are not available here", requestId: "r6" });
      const fetchMock = stubFetch(cannot, unavailable, () => json(201, created));
      const { result } = renderHook(() => useDrawingSubmit({ sessionId: SESSION, directUploadBytes: 1, now: () => 7 }));
      await act(() => result.current.submit(drawing()));
      expect(result.current.state.status).toBe("error");
      await act(() => result.current.retry());
      expect(result.current.state).toEqual({ status: "success", result: created });
      expect(urls(fetchMock)).toEqual(["POST /api/drawings/uploads", "POST /api/drawings", "POST /api/drawings"]);
      expect(JSON.parse(sent(fetchMock)[2][1].body as string)).toEqual({ shapeId: "circle", strokeData: drawing().strokeData });
      const keys = sent(fetchMock).map((call) => headersOf(call).get("X-Idempotency-Key"));
      expect(new Set(keys)).toEqual(new Set([`${SESSION}:circle:7`]));
    });
  });
});
