import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { agreedBefore, termsAnswer } from "../game/consent.fixture";
import { DrawTogetherButton } from "./DrawTogetherButton";

vi.mock("y-websocket", async () => (await import("./provider.fixture")).yWebsocketModule);

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const JOINED = {
  ticket: "ticket-1",
  participant: { id: "p1", name: "Guest 1", color: "#d62828" },
  limit: 8,
  round: 1,
  prompt: { id: "star", name: "Star" },
};

function stubApi(createAnswer: () => Response) {
  const fetchMock = vi.fn(async (url: string) => {
    if (url === "/api/together") return createAnswer();
    if (url === "/api/together/k3j9/join") return json(200, JOINED);
    if (url === "/api/shapes/next") return json(200, { id: "circle", name: "circle" });
    if (url === "/api/terms") return termsAnswer();
    return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("DrawTogetherButton", () => {
  beforeEach(() => {
    localStorage.setItem("crowdsketch.sessionId", "session-one");
    agreedBefore();
    window.history.pushState(null, "", "/");
  });

  it("makes a room from the game page and opens it", async () => {
    const fetchMock = stubApi(() => json(201, { roomId: "k3j9", path: "/together/k3j9" }));
    render(<App />);
    await screen.findByRole("heading", { name: "Draw a circle" });

    await userEvent.click(screen.getByRole("button", { name: "Draw together" }));
    expect(await screen.findByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/together/k3j9");
    const [, init] = fetchMock.mock.calls.find(([url]) => url === "/api/together") as unknown as [string, RequestInit];
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("X-Session-Id")).toBe("session-one");
  });

  it("follows only a path of this app", async () => {
    stubApi(() => json(201, { roomId: "k3j9", path: "https://elsewhere.example/together/k3j9" }));
    render(<DrawTogetherButton sessionId="session-one" />);
    await userEvent.click(screen.getByRole("button", { name: "Draw together" }));
    await waitFor(() => expect(window.location.pathname).toBe("/together/k3j9"));
  });

  it("says why when no room could be made, and stays on the page", async () => {
    stubApi(() => json(503, { error: "SERVICE_UNAVAILABLE", message: "Rooms are down.", requestId: "r" }));
    render(<DrawTogetherButton sessionId="session-one" />);
    await userEvent.click(screen.getByRole("button", { name: "Draw together" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No room could be made.");
    expect(alert).toHaveTextContent("Rooms are down.");
    expect(window.location.pathname).toBe("/");
    expect(screen.getByRole("button", { name: "Draw together" })).toBeEnabled();
  });
});
