import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import AdminApp from "./AdminApp";
import { mockFetch, SESSION, UNAUTHORIZED } from "./test/mockFetch";

const STATS = {
  totals: { drawings: 3, flagged: 1, unflagged: 2, flaggedShare: 1 / 3 },
  perShape: [{ shape: "circle", name: "Circle", active: true, total: 3, unflagged: 2 }],
  perDay: [{ date: "2026-01-01", total: 3 }],
  qualityHistogram: [{ start: 0, end: 0.1, total: 3 }],
  contributorSessions: 2,
  bySource: [{ source: "game", total: 3 }],
  byDevice: [{ device: "mouse", total: 3 }],
};

describe("AdminApp", () => {
  it("sends a visitor without a session to log-in, then back to the page asked for", async () => {
    let signedIn = false;
    mockFetch({
      "GET /api/admin/me": () => (signedIn ? { status: 200, body: SESSION } : UNAUTHORIZED),
      "POST /api/admin/login": () => {
        signedIn = true;
        return { status: 200, body: SESSION };
      },
      "GET /api/admin/stats": { status: 200, body: STATS },
      "POST /api/admin/logout": { status: 204 },
    });
    window.history.replaceState(null, "", "/admin");
    render(<AdminApp />);

    await waitFor(() => expect(window.location.pathname).toBe("/admin/login"));
    expect(new URLSearchParams(window.location.search).get("next")).toBe("/admin");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("heading", { name: "Overview" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/admin");
    expect(await screen.findByText("Contributor sessions")).toBeInTheDocument(); // the stats arrive after the heading

    await userEvent.click(screen.getByRole("button", { name: "Log out" }));
    await waitFor(() => expect(window.location.pathname).toBe("/admin/login"));
  });
});
