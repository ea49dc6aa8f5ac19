import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import AdminApp from "../AdminApp";
import { mockFetch, SESSION, UNAUTHORIZED } from "../test/mockFetch";
import { AdminEventsProvider } from "./AdminEvents";
import { fakeSockets } from "./fakeSocket";
import { LiveIndicator } from "./LiveIndicator";

afterEach(() => {
  vi.useRealTimers();
  window.history.replaceState(null, "", "/");
});

const SHAPES_AND_JOBS = {
  "GET /api/admin/shapes": { status: 200, body: [] },
  "GET /api/admin/datasets": { status: 200, body: [] },
  "GET /api/admin/training/jobs": { status: 200, body: { items: [], nextCursor: null } },
};

describe("LiveIndicator", () => {
  it("says whether the pages are live, as a status", () => {
    vi.useFakeTimers();
    const { latest, sockets, connect } = fakeSockets();
    render(
      <AdminEventsProvider onSessionEnded={vi.fn()} connect={connect}>
        <LiveIndicator />
      </AdminEventsProvider>,
    );
    const indicator = screen.getByRole("status", { name: "Live updates" });
    expect(indicator).toHaveTextContent("Connecting…");

    act(() => latest().open());
    expect(indicator).toHaveTextContent("Live");
    act(() => latest().drop(1006));
    expect(indicator).toHaveTextContent("Reconnecting…");
    act(() => vi.advanceTimersByTime(500));
    expect(sockets).toHaveLength(2);
    act(() => latest().open(true));
    expect(indicator).toHaveTextContent("Live");
    act(() => latest().drop(4403));
    expect(indicator).toHaveTextContent("Offline");
  });

  it("reads Offline with no live connection at all", () => {
    render(<LiveIndicator />);
    expect(screen.getByRole("status", { name: "Live updates" })).toHaveTextContent("Offline");
  });
});

describe("AdminApp's live connection", () => {
  it("opens once signed in, shows Live in the header, and closes on log-out", async () => {
    mockFetch({
      "GET /api/admin/me": { status: 200, body: SESSION },
      "POST /api/admin/logout": { status: 204 },
      ...SHAPES_AND_JOBS,
    });
    window.history.replaceState(null, "", "/admin/training");
    const { sockets, connect, latest } = fakeSockets();
    render(<AdminApp connectEvents={connect} />);

    expect(await screen.findByRole("heading", { name: "Training" })).toBeInTheDocument();
    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => latest().open());
    expect(screen.getByRole("banner")).toContainElement(screen.getByText("Live"));

    await userEvent.click(screen.getByRole("button", { name: "Log out" }));
    await waitFor(() => expect(window.location.pathname).toBe("/admin/login"));
    expect(latest().closedByClient).toBe(1000);
    expect(sockets).toHaveLength(1);
  });

  it("treats 4401 as an ended session: asks the server, lands on log-in, opens no new socket", async () => {
    let signedIn = true;
    const { calls } = mockFetch({
      "GET /api/admin/me": () => (signedIn ? { status: 200, body: SESSION } : UNAUTHORIZED),
      ...SHAPES_AND_JOBS,
    });
    window.history.replaceState(null, "", "/admin/training");
    const { sockets, connect, latest } = fakeSockets();
    render(<AdminApp connectEvents={connect} />);
    expect(await screen.findByRole("heading", { name: "Training" })).toBeInTheDocument();
    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => latest().open());

    signedIn = false;
    act(() => latest().drop(4401, "session ended"));
    await waitFor(() => expect(window.location.pathname).toBe("/admin/login"));
    expect(new URLSearchParams(window.location.search).get("next")).toBe("/admin/training");
    expect(calls.filter((call) => call.path === "/api/admin/me")).toHaveLength(2);
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
    expect(sockets).toHaveLength(1);
  });
});
