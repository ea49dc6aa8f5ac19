import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Contributor } from "../../api/review";
import { mockFetch } from "../test/mockFetch";
import { ContributorsPage } from "./ContributorsPage";

const contributor = (sessionId: string, trust: number | null, drawings = 3): Contributor => ({
  sessionId, drawings, votes: 7, trust, skill: trust === null ? null : 0.9, confirmation: 0.5, lastSeenAt: "2026-01-02T00:00:00Z",
});

const LOW = contributor("aaaaaaaa-1111-4000-8000-000000000001", 0.123);
const UNKNOWN = contributor("bbbbbbbb-2222-4000-8000-000000000002", null, 1);
const HIGH = contributor("cccccccc-3333-4000-8000-000000000003", 0.97, 12);

function asked(fetchMock: ReturnType<typeof mockFetch>["fetchMock"]): URLSearchParams[] {
  return fetchMock.mock.calls
    .map(([url]) => new URL(String(url), "http://localhost"))
    .filter((url) => url.pathname === "/api/admin/contributors")
    .map((url) => url.searchParams);
}

describe("ContributorsPage", () => {
  it("lists the least trusted first, and loads more on request", async () => {
    const { fetchMock } = mockFetch({
      "GET /api/admin/contributors": () => {
        const cursor = asked(fetchMock).at(-1)?.get("cursor");
        return cursor
          ? { status: 200, body: { items: [HIGH], nextCursor: null } }
          : { status: 200, body: { items: [LOW, UNKNOWN], nextCursor: "next" } };
      },
    });
    render(<ContributorsPage />);

    expect(screen.getByRole("heading", { name: "Contributors" })).toBeInTheDocument();
    const row = await screen.findByRole("row", { name: /aaaaaaaa/ });
    expect(within(row).getByText("aaaaaaaa")).toHaveAttribute("title", LOW.sessionId);
    expect(within(row).getByText("12%")).toBeInTheDocument();
    expect(within(row).getByText("90%")).toBeInTheDocument();
    expect(within(row).getByText("50%")).toBeInTheDocument();
    const unknown = screen.getByRole("row", { name: /bbbbbbbb/ });
    expect(within(unknown).getAllByText("—")).toHaveLength(2);
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveValue("trust");
    expect(asked(fetchMock)[0].get("sort")).toBe("trust");

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByRole("row", { name: /cccccccc/ })).toBeInTheDocument();
    expect(screen.getAllByRole("row")).toHaveLength(4);
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("sorts by what is chosen", async () => {
    const { fetchMock } = mockFetch({
      "GET /api/admin/contributors": () => {
        const sort = asked(fetchMock).at(-1)?.get("sort");
        return { status: 200, body: { items: sort === "-drawings" ? [HIGH, LOW] : [LOW, HIGH], nextCursor: null } };
      },
    });
    render(<ContributorsPage />);
    await screen.findByRole("row", { name: /aaaaaaaa/ });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Sort by" }), "Drawings");

    await waitFor(() => expect(screen.getAllByRole("row")[1]).toHaveTextContent("cccccccc"));
    expect(asked(fetchMock).at(-1)?.get("sort")).toBe("-drawings");
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual([
      "Trust (lowest first)", "Trust (highest first)", "Drawings", "Votes",
    ]);
  });
});
