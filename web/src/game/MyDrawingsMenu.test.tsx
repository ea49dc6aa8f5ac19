import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { drawStroke } from "../test/pointer";
import { GamePage } from "./GamePage";
import { MyDrawingsMenu } from "./MyDrawingsMenu";
import { agreedBefore, termsAnswer } from "./consent.fixture";
import { deletedNotice } from "./useMyDrawings";

const SESSION = "3f1c2b9e-5d4a-4c8b-9e7f-0a1b2c3d4e5f";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function stubFetch(answer: (url: string, init: RequestInit) => Response) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => answer(url, init));
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const sessionHeader = (init: RequestInit) => new Headers(init.headers).get("X-Session-Id");

async function openMenu() {
  await userEvent.click(screen.getByRole("button", { name: "My drawings" }));
  return screen.getByRole("menu", { name: "My drawings" });
}

describe("MyDrawingsMenu", () => {
  it("opens from its button, focuses the first item, and closes with Escape back onto the button", async () => {
    render(<MyDrawingsMenu sessionId={SESSION} />);
    const toggle = screen.getByRole("button", { name: "My drawings" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();

    await openMenu();
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByRole("menuitem", { name: "Download my drawings" })).toHaveFocus();
    await userEvent.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Delete my drawings" })).toHaveFocus();

    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    expect(toggle).toHaveFocus();
  });

  it("closes when the button is pressed again or the page is clicked elsewhere", async () => {
    render(
      <>
        <MyDrawingsMenu sessionId={SESSION} />
        <p>Elsewhere</p>
      </>,
    );
    await openMenu();
    await userEvent.click(screen.getByRole("button", { name: "My drawings" }));
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();

    await openMenu();
    await userEvent.click(screen.getByText("Elsewhere"));
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  });

  it("asks before deleting, and Keep them sends nothing", async () => {
    const fetchMock = stubFetch(() => json(200, { drawings: 3, votes: 1 }));
    render(<MyDrawingsMenu sessionId={SESSION} />);
    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Delete my drawings" }));

    const dialog = screen.getByRole("alertdialog", { name: "Delete every drawing you made, for good?" });
    expect(dialog).toHaveAccessibleDescription("This cannot be undone.");
    expect(screen.getByRole("button", { name: "Keep them" })).toHaveFocus();
    await userEvent.click(screen.getByRole("button", { name: "Keep them" }));

    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("deletes with the session id on Delete them, says how many went, and tells the game", async () => {
    const fetchMock = stubFetch(() => json(200, { drawings: 3, votes: 1 }));
    const onDeleted = vi.fn();
    render(<MyDrawingsMenu sessionId={SESSION} onDeleted={onDeleted} />);
    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Delete my drawings" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete them" }));

    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Deleted 3 drawings."));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/contributors/me");
    expect(init.method).toBe("DELETE");
    expect(sessionHeader(init)).toBe(SESSION);
    expect(onDeleted).toHaveBeenCalledWith({ drawings: 3, votes: 1 });
    expect(screen.getByRole("button", { name: "My drawings" })).toHaveFocus();
  });

  it("cancels the confirmation with Escape", async () => {
    const fetchMock = stubFetch(() => json(200, { drawings: 0, votes: 0 }));
    render(<MyDrawingsMenu sessionId={SESSION} />);
    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Delete my drawings" }));
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("shows the server's error when the deletion fails", async () => {
    stubFetch(() =>
      json(429, { error: "RATE_LIMITED", message: "Too many requests", requestId: "req-1" }, { "Retry-After": "60" }),
    );
    render(<MyDrawingsMenu sessionId={SESSION} />);
    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Delete my drawings" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete them" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Your drawings were not deleted.");
    expect(alert).toHaveTextContent("Too many requests");
    expect(alert).toHaveTextContent("Try again in 60 s.");
  });

  it("downloads the export with the session id as my-drawings.jsonl", async () => {
    const lines = '{"label":"circle"}\n{"label":"star"}\n';
    const fetchMock = stubFetch(() => new Response(lines, { status: 200, headers: { "Content-Type": "application/x-ndjson" } }));
    const createObjectURL = vi.fn((_blob: Blob) => "blob:my-drawings");
    const { createObjectURL: realCreate, revokeObjectURL: realRevoke } = URL;
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    onTestFinished(() => void Object.assign(URL, { createObjectURL: realCreate, revokeObjectURL: realRevoke }));
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
    render(<MyDrawingsMenu sessionId={SESSION} />);
    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Download my drawings" }));

    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("saved as my-drawings.jsonl"));
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/contributors/me/export");
    expect(sessionHeader(init)).toBe(SESSION);
    expect(saved).toEqual(["my-drawings.jsonl blob:my-drawings"]);
    expect(await createObjectURL.mock.calls[0][0].text()).toBe(lines);
  });
});

describe("My drawings in the game", () => {
  it("drops the totals shown with the last score once the drawings are deleted", async () => {
    agreedBefore();
    stubFetch((url, init) => {
      if (url === "/api/shapes/next") return json(200, { id: "circle", name: "circle" });
      if (url === "/api/terms") return termsAnswer();
      if (url === "/api/drawings")
        return json(201, {
          id: "0b8a3f0e-6c1d-4f55-9d62-1a2b3c4d5e6f",
          shape: { id: "circle", name: "circle" },
          qualityScore: 0.9,
          nextShape: { id: "triangle", name: "triangle" },
          userStats: { total: 1, today: 1 },
        });
      if (url === "/api/contributors/me" && init.method === "DELETE") return json(200, { drawings: 1, votes: 0 });
      return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
    });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50], [90, 10]]);
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByText("1 today · 1 in all")).toBeInTheDocument();

    await openMenu();
    await userEvent.click(screen.getByRole("menuitem", { name: "Delete my drawings" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete them" }));

    expect(await screen.findByText("Deleted 1 drawing.")).toBeInTheDocument();
    expect(screen.queryByText("1 today · 1 in all")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Draw a triangle" })).toBeInTheDocument();
    // The withdrawal took the agreement to the terms with it: they come before the next drawing.
    expect(await screen.findByRole("region", { name: /terms/i })).toBeInTheDocument();
    expect(localStorage.getItem("crowdsketch.termsVersion")).toBeNull();
  });
});

describe("deletedNotice", () => {
  it("counts in words a person reads", () => {
    expect(deletedNotice(0)).toBe("You had no drawings to delete.");
    expect(deletedNotice(1)).toBe("Deleted 1 drawing.");
    expect(deletedNotice(2)).toBe("Deleted 2 drawings.");
  });
});
