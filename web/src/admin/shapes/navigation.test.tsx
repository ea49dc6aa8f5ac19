import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import AdminApp from "../AdminApp";
import { FakeSocket } from "../live/fakeSocket";
import { mockFetch, SESSION } from "../test/mockFetch";
import { CATALOGUE } from "./fixtures";

afterEach(() => window.history.replaceState(null, "", "/"));

describe("the admin sections for the catalogue and the data", () => {
  it("are in the navigation, each at its path", async () => {
    mockFetch({
      "GET /api/admin/me": { status: 200, body: SESSION },
      "GET /api/admin/shapes": { status: 200, body: CATALOGUE },
      "GET /api/admin/audit": { status: 200, body: { items: [], nextCursor: null } },
    });
    window.history.replaceState(null, "", "/admin/shapes");
    render(<AdminApp connectEvents={(url) => new FakeSocket(url)} />);

    const nav = await screen.findByRole("navigation", { name: "Admin sections" });
    expect(await screen.findByRole("heading", { level: 1, name: "Shapes" })).toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Shapes" })).toHaveAttribute("aria-current", "page");

    await userEvent.click(within(nav).getByRole("link", { name: "Import & export" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Import & export" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/admin/data");

    await userEvent.click(within(nav).getByRole("link", { name: "Audit log" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Audit log" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/admin/audit");
    expect(await screen.findByText("Nothing has been recorded yet.")).toBeInTheDocument();
  });
});
