import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fetchStats, flagDrawing, listDrawings } from "../api/admin";
import { mockFetch, SESSION, UNAUTHORIZED } from "./test/mockFetch";
import { useAdminAuth } from "./useAdminAuth";

describe("useAdminAuth", () => {
  it("asks the server for the session on mount and is signed in when it has one", async () => {
    const { calls } = mockFetch({ "GET /api/admin/me": { status: 200, body: SESSION } });
    const { result } = renderHook(() => useAdminAuth());
    expect(result.current.state.status).toBe("checking");
    await waitFor(() => expect(result.current.state).toEqual({ status: "signedIn", admin: SESSION.admin }));
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/admin/me", credentials: "include" });
  });

  it("is signed out, with no error shown, when the session check answers 401", async () => {
    mockFetch({ "GET /api/admin/me": UNAUTHORIZED });
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state).toEqual({ status: "signedOut", error: undefined }));
  });

  it("logs in with the email and password and becomes signed in", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/me": UNAUTHORIZED,
      "POST /api/admin/login": { status: 200, body: SESSION },
    });
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));

    let ok = false;
    await act(async () => {
      ok = await result.current.login("ada@example.com", "secret");
    });

    expect(ok).toBe(true);
    expect(result.current.state).toEqual({ status: "signedIn", admin: SESSION.admin });
    const login = calls.find((call) => call.path === "/api/admin/login")!;
    expect(login.body).toEqual({ email: "ada@example.com", password: "secret" });
    expect(login.credentials).toBe("include");
    expect(localStorage.length).toBe(0);
  });

  it("stays signed out with the server's message when the password is wrong", async () => {
    mockFetch({
      "GET /api/admin/me": UNAUTHORIZED,
      "POST /api/admin/login": { status: 401, body: { error: "AUTHENTICATION_REQUIRED", message: "Invalid email or password.", requestId: "r2" } },
    });
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));

    let ok = true;
    await act(async () => {
      ok = await result.current.login("ada@example.com", "wrong");
    });

    expect(ok).toBe(false);
    const state = result.current.state;
    expect(state.status).toBe("signedOut");
    expect(state.status === "signedOut" && state.error?.message).toBe("Invalid email or password.");
    expect(result.current.loggingIn).toBe(false);
  });

  it("logs out on the server, sending the CSRF token, and becomes signed out", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/me": { status: 200, body: SESSION },
      "POST /api/admin/logout": { status: 204 },
    });
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state.status).toBe("signedIn"));

    await act(() => result.current.logout());

    expect(result.current.state.status).toBe("signedOut");
    const logout = calls.find((call) => call.path === "/api/admin/logout")!;
    expect(logout.method).toBe("POST");
    expect(logout.headers.get("X-CSRF-Token")).toBe(SESSION.csrfToken);
  });

  it("sends the session's CSRF token on a mutation and not on a read", async () => {
    const drawing = { id: "d1", flagged: true, flagReason: "scribble" };
    const { calls } = mockFetch({
      "GET /api/admin/me": UNAUTHORIZED,
      "POST /api/admin/login": { status: 200, body: SESSION },
      "POST /api/admin/drawings/d1/flag": { status: 200, body: drawing },
      "GET /api/admin/drawings": { status: 200, body: { items: [], nextCursor: null, total: 0 } },
    });
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));
    await act(async () => {
      await result.current.login("ada@example.com", "secret");
    });

    await flagDrawing("d1", "scribble");
    await listDrawings({ flagged: true });

    const flag = calls.find((call) => call.path === "/api/admin/drawings/d1/flag")!;
    expect(flag.headers.get("X-CSRF-Token")).toBe("token-123");
    expect(flag.body).toEqual({ reason: "scribble" });
    const list = calls.find((call) => call.path === "/api/admin/drawings")!;
    expect(list.headers.has("X-CSRF-Token")).toBe(false);
  });

  it("becomes signed out when any admin request answers 401 (session expired)", async () => {
    const routes = {
      "GET /api/admin/me": { status: 200, body: SESSION },
      "GET /api/admin/stats": UNAUTHORIZED,
    };
    mockFetch(routes);
    const { result } = renderHook(() => useAdminAuth());
    await waitFor(() => expect(result.current.state.status).toBe("signedIn"));

    await act(async () => {
      await fetchStats().catch(() => undefined);
    });

    expect(result.current.state.status).toBe("signedOut");
  });
});
