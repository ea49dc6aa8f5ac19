import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./client";
import type { StrokeData } from "./strokes";
import {
  canUploadDirectly,
  encodeStrokeData,
  goesDirect,
  isUploadExpired,
  putUpload,
  sha256Hex,
  submitByUpload,
  type UploadTicket,
} from "./uploads";

const CONTRIBUTOR = { sessionId: "3f0c2a4e-8a51-4d0f-9d8e-2b1f5c7e9a10", idempotencyKey: "k:circle:1" };

const ticket = (id = "u1"): UploadTicket => ({
  uploadId: id,
  uploadUrl: `http://127.0.0.1:9000/bucket/drawings/circle/${id}.json?X-Amz-Expires=600`,
  method: "PUT",
  headers: { "Content-Type": "application/json", "Content-Length": "11" },
  expiresAt: "2030-01-01T00:10:00Z",
  blobKey: `drawings/circle/${id}.json`,
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const s3Error = (status: number, code: string, message: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, {
    status,
    headers: { "Content-Type": "application/xml" },
  });

function stubFetch(...answers: Array<() => Response>) {
  const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => {
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("direct uploads", () => {
  it("hashes with SHA-256 as lowercase hex", async () => {
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("measures the JSON text in UTF-8 bytes", () => {
    expect(encodeStrokeData('{"a":"é"}').byteLength).toBe(10);
    const strokeData: StrokeData = { canvas: { width: 4, height: 4 }, strokes: [[[1, 2, 0]]], duration_ms: 0, device: "pen" };
    expect(new TextDecoder().decode(encodeStrokeData(strokeData))).toBe(JSON.stringify(strokeData));
  });

  it("goes direct from the threshold up, never at 0, and only where the browser can hash", () => {
    expect(canUploadDirectly()).toBe(true);
    expect(goesDirect(100, 100)).toBe(true);
    expect(goesDirect(99, 100)).toBe(false);
    expect(goesDirect(1_000_000, 0)).toBe(false);
    vi.stubGlobal("crypto", {});
    expect(canUploadDirectly()).toBe(false);
    expect(goesDirect(100, 100)).toBe(false);
  });

  it("puts the bytes with the ticket's headers and no credentials", async () => {
    const fetchMock = stubFetch(() => new Response(null, { status: 200 }));
    const bytes = encodeStrokeData('{"a":"bc"}');
    await putUpload(ticket(), bytes);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(ticket().uploadUrl);
    expect(init).toMatchObject({ method: "PUT", credentials: "omit", headers: ticket().headers });
    expect(init.body).toBe(bytes);
  });

  it("reads a failed put from the app's envelope or the store's XML", async () => {
    stubFetch(
      () => json(400, { error: "UPLOAD_MISMATCH", message: "The upload is not what was announced", requestId: "r1" }),
      () => s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
    );
    await expect(putUpload(ticket(), new Uint8Array(1))).rejects.toMatchObject({
      status: 400,
      code: "UPLOAD_MISMATCH",
      message: "The upload is not what was announced",
      requestId: "r1",
      retryable: false,
    });
    await expect(putUpload(ticket(), new Uint8Array(1))).rejects.toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
  });

  it("turns a put that cannot reach the store into the usual retryable network error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(putUpload(ticket(), new Uint8Array(1))).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR", retryable: true });
  });

  it("knows an expired upload: 410 from the app, an expired signature from S3", () => {
    expect(isUploadExpired(new ApiError({ status: 410, code: "UPLOAD_EXPIRED", message: "gone" }))).toBe(true);
    expect(isUploadExpired(new ApiError({ status: 403, code: "AccessDenied", message: "Request has expired" }))).toBe(true);
    expect(isUploadExpired(new ApiError({ status: 403, code: "CONSENT_REQUIRED", message: "agree first" }))).toBe(false);
    expect(isUploadExpired(new ApiError({ status: 404, code: "NOT_FOUND", message: "no such upload" }))).toBe(false);
  });

  it("starts over once when the store refuses an expired pre-signed put", async () => {
    const created = {
      id: "d1",
      shape: { id: "circle", name: "circle" },
      qualityScore: 1,
      nextShape: { id: "square", name: "square" },
      userStats: { total: 1, today: 1 },
    };
    const fetchMock = stubFetch(
      () => json(201, ticket("u1")),
      () => s3Error(403, "AccessDenied", "Request has expired"),
      () => json(201, ticket("u2")),
      () => new Response(null, { status: 200 }),
      () => json(201, created),
    );
    const bytes = encodeStrokeData('{"a":"bc"}');
    expect(await submitByUpload("circle", bytes, CONTRIBUTOR)).toEqual(created);
    expect(fetchMock.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      "POST /api/drawings/uploads",
      `PUT ${ticket("u1").uploadUrl}`,
      "POST /api/drawings/uploads",
      `PUT ${ticket("u2").uploadUrl}`,
      "POST /api/drawings",
    ]);
    const finalize = fetchMock.mock.calls[4][1];
    expect(JSON.parse(finalize.body as string)).toEqual({ shapeId: "circle", uploadId: "u2" });
    expect((finalize.headers as Headers).get("X-Idempotency-Key")).toBe(CONTRIBUTOR.idempotencyKey);
  });

  it("does not start over for an unknown upload", async () => {
    const fetchMock = stubFetch(
      () => json(201, ticket("u1")),
      () => new Response(null, { status: 200 }),
      () => json(404, { error: "NOT_FOUND", message: "No such upload", requestId: "r5" }),
    );
    await expect(submitByUpload("circle", encodeStrokeData("{}"), CONTRIBUTOR)).rejects.toMatchObject({ status: 404 });
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });
});
