import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../api/admin";
import { mockFetch } from "../test/mockFetch";
import { AuditPage } from "./AuditPage";

const entry = (id: string, action: string, createdAt: string, changes: Partial<AuditEntry> = {}): AuditEntry => ({
  id, adminId: "a1", adminEmail: "ada@example.com", action, targetType: null, targetId: null, details: {}, createdAt, ...changes,
});

const RENAMED = entry("e3", "shape.update", "2027-03-03T12:00:00Z", {
  targetType: "shape", targetId: "circle", details: { changes: { name: ["Circle", "Round"] } },
});
const FLAGGED = entry("e2", "flag", "2027-03-02T12:00:00Z", {
  adminEmail: "bob@example.com", targetType: "drawing", targetId: "d-1", details: { reason: "scribble" },
});
const LOGIN = entry("e1", "login", "2027-03-01T12:00:00Z");
const CREATED = entry("e0", "shape.create", "2027-02-20T12:00:00Z", {
  targetType: "shape", targetId: "star", details: { name: "Star", closed: true, active: true },
});

const rows = () => screen.getAllByRole("row").slice(1).map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));

function asked(fetchMock: ReturnType<typeof mockFetch>["fetchMock"]): URLSearchParams[] {
  return fetchMock.mock.calls
    .map(([url]) => new URL(String(url), "http://localhost"))
    .filter((url) => url.pathname === "/api/admin/audit")
    .map((url) => url.searchParams);
}

describe("AuditPage", () => {
  it("shows who did what, newest first, and pages through older entries with the cursor", async () => {
    const { fetchMock } = mockFetch({
      "GET /api/admin/audit": () =>
        asked(fetchMock).at(-1)?.get("cursor") === "page-2"
          ? { status: 200, body: { items: [CREATED], nextCursor: null } }
          : { status: 200, body: { items: [RENAMED, FLAGGED, LOGIN], nextCursor: "page-2" } },
    });
    render(<AuditPage />);

    expect(screen.getByRole("heading", { level: 1, name: "Audit log" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Audit entries, newest first" });
    expect(within(table).getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["Time", "Actor", "Action", "Subject", "Details"]);
    expect(rows()).toEqual([
      ["ada@example.com", "shape.update", "shape circle", "name: Circle → Round"],
      ["bob@example.com", "flag", "drawing d-1", "reason: scribble"],
      ["ada@example.com", "login", "—", "—"],
    ]);
    expect(screen.getByRole("link", { name: "drawing d-1" })).toHaveAttribute("href", "/admin/drawings/d-1");
    expect(within(table).getAllByRole("rowheader")[0].querySelector("time")).toHaveAttribute("dateTime", RENAMED.createdAt);
    expect(asked(fetchMock)[0].get("limit")).toBe("50");
    expect(screen.queryByRole("button", { name: "Newer entries" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Older entries" }));
    await waitFor(() => expect(rows()).toEqual([["ada@example.com", "shape.create", "shape star", "name: Starclosed: trueactive: true"]]));
    expect(asked(fetchMock).at(-1)?.get("cursor")).toBe("page-2");
    expect(screen.getByText("Page 2")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Older entries" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Newer entries" }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(asked(fetchMock).at(-1)?.get("cursor")).toBeNull();
    expect(screen.getByText("Page 1")).toBeInTheDocument();
  });

  it("sends the filters and shows what the server answers for them", async () => {
    // The server's filters: action exact, actor part of the email in any case, createdFrom
    // inclusive and createdTo exclusive.
    const { fetchMock } = mockFetch({
      "GET /api/admin/audit": () => {
        const query = asked(fetchMock).at(-1);
        const [action, actor] = [query?.get("action"), query?.get("actor")?.toLowerCase()];
        const [from, to] = [query?.get("createdFrom"), query?.get("createdTo")];
        const items = [RENAMED, FLAGGED, LOGIN, CREATED].filter((e) =>
          (!action || e.action === action) && (!actor || e.adminEmail.includes(actor)) &&
          (!from || Date.parse(e.createdAt) >= Date.parse(from)) && (!to || Date.parse(e.createdAt) < Date.parse(to)));
        return { status: 200, body: { items, nextCursor: null } };
      },
    });
    render(<AuditPage />);
    await screen.findByRole("table");

    const form = screen.getByRole("form", { name: "Audit log filters" });
    await userEvent.type(within(form).getByRole("combobox", { name: "Action" }), "shape.update");
    await userEvent.click(within(form).getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0][1]).toBe("shape.update");
    expect(asked(fetchMock).at(-1)?.get("action")).toBe("shape.update");

    await userEvent.clear(within(form).getByRole("combobox", { name: "Action" }));
    await userEvent.type(within(form).getByRole("searchbox", { name: "Actor" }), "BOB");
    await userEvent.type(within(form).getByLabelText("From"), "2027-03-02");
    await userEvent.type(within(form).getByLabelText("To"), "2027-03-02");
    await userEvent.click(within(form).getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(rows()).toEqual([["bob@example.com", "flag", "drawing d-1", "reason: scribble"]]));
    const query = asked(fetchMock).at(-1);
    expect(query?.get("action")).toBeNull();
    expect(query?.get("actor")).toBe("BOB");
    expect(query?.get("createdFrom")).toBe(new Date(2027, 2, 2).toISOString());
    expect(query?.get("createdTo")).toBe(new Date(2027, 2, 3).toISOString());

    await userEvent.click(within(form).getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(within(form).getByRole("searchbox", { name: "Actor" })).toHaveValue("");
  });

  it("checks the dates, and shows the server's refusal of a filter at its field", async () => {
    const { fetchMock } = mockFetch({
      "GET /api/admin/audit": () =>
        asked(fetchMock).at(-1)?.get("action")
          ? {
              status: 400,
              body: { error: "VALIDATION_ERROR", message: "query.action: too long", details: [{ field: "query.action", message: "String should have at most 40 characters" }], requestId: "r" },
            }
          : { status: 200, body: { items: [LOGIN], nextCursor: null } },
    });
    render(<AuditPage />);
    await screen.findByRole("table");
    const form = screen.getByRole("form", { name: "Audit log filters" });

    await userEvent.type(within(form).getByLabelText("From"), "2027-03-05");
    await userEvent.type(within(form).getByLabelText("To"), "2027-03-01");
    await userEvent.click(within(form).getByRole("button", { name: "Apply filters" }));
    expect(within(form).getByLabelText("To")).toHaveAccessibleDescription("The last day comes before the first.");
    expect(within(form).getByLabelText("To")).toHaveFocus();
    expect(asked(fetchMock)).toHaveLength(1);

    await userEvent.clear(within(form).getByLabelText("To"));
    const action = within(form).getByRole("combobox", { name: "Action" });
    await userEvent.type(action, "review.accept");
    await userEvent.click(within(form).getByRole("button", { name: "Apply filters" }));
    expect(await within(form).findByText("String should have at most 40 characters")).toBeInTheDocument();
    expect(action).toHaveAttribute("aria-invalid", "true");
    expect(action).toHaveAccessibleDescription("String should have at most 40 characters");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
