import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiKeyRead } from "../../api/apiKeys";
import { mockFetch } from "../test/mockFetch";
import { ApiKeysPage } from "./ApiKeysPage";

const KEY_ID = "6f1c2a9e-0000-4000-8000-000000000001";
const SECRET = "csk_abcdEFGH1234secretsecretsecretsecretsecret0";

function apiKey(changes: Partial<ApiKeyRead> = {}): ApiKeyRead {
  return {
    id: KEY_ID,
    name: "Acme app",
    prefix: SECRET.slice(0, 12),
    ratePerMinute: 60,
    monthlyQuota: 10000,
    allowedOrigins: ["https://app.example.org"],
    createdAt: "2026-03-01T10:00:00Z",
    revokedAt: null,
    lastUsedAt: null,
    usageThisMonth: { requests: 0, errors: 0 },
    ...changes,
  };
}

const utcDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

afterEach(() => window.history.replaceState(null, "", "/"));

describe("ApiKeysPage", () => {
  it("shows a new key once, in its own box, and lists it", async () => {
    let listed: ApiKeyRead[] = [];
    const { calls } = mockFetch({
      "GET /api/admin/api-keys": () => ({ status: 200, body: listed }),
      "POST /api/admin/api-keys": (call) => {
        listed = [apiKey()];
        return { status: 201, body: { ...apiKey(), ...(call.body as object), key: SECRET } };
      },
    });
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<ApiKeysPage />);
    expect(await screen.findByText("No key yet; make one below.")).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "New key" });
    await userEvent.type(within(form).getByLabelText("Name"), "Acme app");
    await userEvent.type(within(form).getByLabelText("Requests a minute"), "60");
    await userEvent.type(within(form).getByLabelText("Allowed origins"), "https://app.example.org{Enter}{Enter}");
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));

    const box = await screen.findByRole("region", { name: "New key for “Acme app”" });
    expect(box).toHaveTextContent("Copy it now: it will not be shown again.");
    expect(within(box).getByLabelText("API key")).toHaveValue(SECRET);
    const create = calls.find((call) => call.method === "POST")!;
    expect(create.body).toEqual({ name: "Acme app", ratePerMinute: 60, monthlyQuota: null, allowedOrigins: ["https://app.example.org"] });

    await userEvent.click(within(box).getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(box).toHaveTextContent("Copied.");

    const row = (await screen.findByRole("rowheader", { name: "Acme app" })).closest("tr")!;
    expect(row).toHaveTextContent("60 a minute · 10,000 a month");
    expect(row).toHaveTextContent("Active");
    expect(row).not.toHaveTextContent(SECRET);
    expect(calls.filter((call) => call.method === "GET")).toHaveLength(2);
    expect(within(form).getByLabelText("Name")).toHaveValue("");

    await userEvent.click(within(box).getByRole("button", { name: "Done, I have copied it" }));
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
  });

  it("shows the server's refusal of an origin next to the origins field", async () => {
    mockFetch({
      "GET /api/admin/api-keys": { status: 200, body: [] },
      "POST /api/admin/api-keys": {
        status: 400,
        body: {
          error: "VALIDATION_ERROR",
          message: "allowedOrigins[0]: Value error, 'https://a.example/path' is not an origin",
          requestId: "r",
          details: [{ field: "allowedOrigins[0]", message: "Value error, 'https://a.example/path' is not an origin" }],
        },
      },
    });
    render(<ApiKeysPage />);
    const form = await screen.findByRole("form", { name: "New key" });
    await userEvent.type(within(form).getByLabelText("Name"), "Acme app");
    await userEvent.type(within(form).getByLabelText("Allowed origins"), "https://a.example/path");
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));

    const origins = within(form).getByLabelText("Allowed origins");
    await waitFor(() => expect(origins).toHaveAttribute("aria-invalid", "true"));
    expect(origins).toHaveAccessibleDescription(expect.stringContaining("'https://a.example/path' is not an origin"));
    expect(origins).not.toHaveAccessibleDescription(expect.stringContaining("Value error"));
    expect(origins).toHaveFocus();
    expect(within(form).getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("region", { name: /New key for/ })).not.toBeInTheDocument();
  });

  it("checks the limits before sending", async () => {
    const { calls } = mockFetch({ "GET /api/admin/api-keys": { status: 200, body: [] } });
    render(<ApiKeysPage />);
    const form = await screen.findByRole("form", { name: "New key" });
    await userEvent.type(within(form).getByLabelText("Monthly quota"), "0");
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));
    expect(within(form).getByLabelText("Name")).toHaveAccessibleDescription(expect.stringContaining("Give the key a name"));
    expect(within(form).getByLabelText("Monthly quota")).toHaveAttribute("aria-invalid", "true");
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(0);
  });

  it("revokes a key after a confirmation", async () => {
    let listed = [apiKey({ usageThisMonth: { requests: 12, errors: 1 }, lastUsedAt: "2026-03-02T10:00:00Z" })];
    const { calls } = mockFetch({
      "GET /api/admin/api-keys": () => ({ status: 200, body: listed }),
      [`POST /api/admin/api-keys/${KEY_ID}/revoke`]: () => {
        listed = [{ ...listed[0], revokedAt: "2026-03-03T10:00:00Z" }];
        return { status: 200, body: listed[0] };
      },
    });
    render(<ApiKeysPage />);
    const row = (await screen.findByRole("rowheader", { name: "Acme app" })).closest("tr")!;
    expect(row).toHaveTextContent("12");
    await userEvent.click(within(row).getByRole("button", { name: "Revoke Acme app" }));
    const confirm = within(row).getByRole("group", { name: "Confirm revoking Acme app" });
    expect(within(confirm).getByRole("button", { name: "No, keep it" })).toHaveFocus();
    await userEvent.click(within(confirm).getByRole("button", { name: "Yes, revoke" }));

    expect(await screen.findByRole("status")).toHaveTextContent("“Acme app” is revoked");
    await waitFor(() => expect(row).toHaveTextContent("Revoked"));
    expect(within(row).queryByRole("button", { name: /Revoke|Edit/ })).not.toBeInTheDocument();
    expect(calls.filter((call) => call.path.endsWith("/revoke"))).toHaveLength(1);
  });

  it("edits a key's limits, sending only what changed", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/api-keys": { status: 200, body: [apiKey()] },
      [`PATCH /api/admin/api-keys/${KEY_ID}`]: { status: 200, body: apiKey({ ratePerMinute: null }) },
    });
    render(<ApiKeysPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit Acme app" }));
    const form = screen.getByRole("form", { name: "Edit “Acme app”" });
    await userEvent.clear(within(form).getByLabelText("Requests a minute"));
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(screen.queryByRole("form", { name: "Edit “Acme app”" })).not.toBeInTheDocument());
    expect(calls.find((call) => call.method === "PATCH")?.body).toEqual({ ratePerMinute: null });
    await waitFor(() => expect(screen.getByRole("button", { name: "Edit Acme app" })).toHaveFocus());
  });

  it("shows a key's usage: requests per day and a row per day and model version", async () => {
    window.history.replaceState(null, "", `/admin/api-keys?key=${KEY_ID}`);
    const usage = {
      keyId: KEY_ID,
      days: [
        { day: utcDay(0), modelVersion: 2, requests: 7, errors: 0, p50Ms: 3.364 },
        { day: utcDay(0), modelVersion: null, requests: 1, errors: 1, p50Ms: 0.5 },
        { day: utcDay(2), modelVersion: 1, requests: 4, errors: 1, p50Ms: 12.25 },
      ],
      totals: { requests: 12, errors: 2 },
    };
    const { calls } = mockFetch({
      "GET /api/admin/api-keys": { status: 200, body: [apiKey()] },
      [`GET /api/admin/api-keys/${KEY_ID}/usage`]: { status: 200, body: usage },
    });
    const { container } = render(<ApiKeysPage />);

    const section = await screen.findByRole("region", { name: "Usage of “Acme app”" });
    expect(await within(section).findByRole("status", { name: "Usage totals" })).toHaveTextContent("Last 30 days: 12 requests, 2 errors.");
    expect(calls.find((call) => call.path.endsWith("/usage"))?.search).toBe("?days=30");

    expect(within(section).getByRole("img", { name: "Requests per day (last 30 UTC days)" })).toBeInTheDocument();
    const titles = [...container.querySelectorAll("svg title")].map((title) => title.textContent);
    expect(titles).toHaveLength(30);
    expect(titles.at(-1)).toBe(`${utcDay(0)}: 8`);
    expect(titles.at(-3)).toBe(`${utcDay(2)}: 4`);
    expect(titles.at(-2)).toBe(`${utcDay(1)}: 0`);

    const table = within(section).getByRole("table", { name: "Requests by day and model version" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows).toEqual([`${utcDay(0)}v2703.36`, `${utcDay(0)}No model110.50`, `${utcDay(2)}v14112.3`, "Total122"]);
    expect(screen.getByRole("rowheader", { name: "Acme app" }).closest("tr")).toHaveAttribute("aria-current", "true");
  });
});
