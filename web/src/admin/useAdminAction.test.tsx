import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { useAdminAction } from "./useAdminAction";

const CONFLICT = new ApiError({ status: 409, code: "CONFLICT", message: "That name is taken." });

/** A promise the test settles itself, to look at the hook while the work is under way. */
function deferred() {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe("useAdminAction", () => {
  it("is running while the work is under way and answers true when it succeeds", async () => {
    const { result } = renderHook(() => useAdminAction());
    const work = deferred();
    let answer!: Promise<boolean>;
    act(() => {
      answer = result.current.run(() => work.promise);
    });
    expect(result.current.running).toBe(true);

    await act(async () => work.resolve());

    await expect(answer).resolves.toBe(true);
    expect(result.current).toMatchObject({ running: false, error: null });
  });

  it("keeps the server's error and answers false when the work fails", async () => {
    const { result } = renderHook(() => useAdminAction());
    let ok = true;
    await act(async () => {
      ok = await result.current.run(() => Promise.reject(CONFLICT));
    });

    expect(ok).toBe(false);
    expect(result.current).toMatchObject({ running: false, error: CONFLICT });
  });

  it("turns anything else that is thrown into an ApiError", async () => {
    const { result } = renderHook(() => useAdminAction());
    await act(async () => {
      await result.current.run(async () => {
        throw new Error("Failed to fetch");
      });
    });

    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error).toMatchObject({ status: 0, code: "CLIENT_ERROR", message: "Failed to fetch" });
  });

  it("clears the last error when it runs again", async () => {
    const { result } = renderHook(() => useAdminAction());
    await act(async () => {
      await result.current.run(() => Promise.reject(CONFLICT));
    });
    const work = deferred();
    act(() => {
      void result.current.run(() => work.promise);
    });
    expect(result.current).toMatchObject({ running: true, error: null });

    await act(async () => work.resolve());
    expect(result.current.error).toBeNull();
  });

  it("keeps the same run between renders, so callers can list it as a dependency", () => {
    const { result, rerender } = renderHook(() => useAdminAction());
    const first = result.current.run;
    rerender();
    expect(result.current.run).toBe(first);
  });
});
