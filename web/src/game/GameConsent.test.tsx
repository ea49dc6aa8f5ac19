import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Terms } from "../api/consent";
import { drawStroke } from "../test/pointer";
import { agreedBefore, TERMS, termsAnswer } from "./consent.fixture";
import { GamePage } from "./GamePage";
import { TERMS_CHANGED } from "./useConsent";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const created = {
  id: "0b8a3f0e-6c1d-4f55-9d62-1a2b3c4d5e6f",
  shape: { id: "circle", name: "circle" },
  qualityScore: 0.9,
  nextShape: { id: "triangle", name: "triangle" },
  userStats: { total: 1, today: 1 },
};

const consentRequired = (termsVersion = "1") =>
  json(403, {
    error: "CONSENT_REQUIRED",
    message: "Agree to the terms before you draw.",
    requestId: "r1",
    details: [{ field: "termsVersion", message: "not agreed to", termsVersion }],
  });

interface Api {
  terms?: Array<() => Response>;
  drawings?: Array<() => Response>;
  consents?: Array<(termsVersion: string) => Response>;
}

const consented = (termsVersion: string) => json(200, { termsVersion, consentedAt: "2026-12-06T03:00:00Z" });

function stubApi({ terms = [() => termsAnswer()], drawings = [], consents = [] }: Api) {
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    if (url === "/api/shapes/next") return json(200, { id: "circle", name: "circle" });
    if (url === "/api/terms") return (terms.length > 1 ? terms.shift()! : terms[0])();
    if (url === "/api/consent" && init?.method === "POST") {
      return (consents.shift() ?? consented)(JSON.parse(init.body as string).termsVersion);
    }
    if (url === "/api/drawings") return drawings.shift()!();
    return json(404, { error: "NOT_FOUND", message: "no route", requestId: "x" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const calls = (fetchMock: ReturnType<typeof stubApi>, url: string) =>
  fetchMock.mock.calls.filter(([called]) => called === url) as unknown as Array<[string, RequestInit]>;

const termsPanel = () => screen.findByRole("region", { name: /terms/i });

async function agree() {
  const button = screen.getByRole("button", { name: "I agree" });
  await waitFor(() => expect(button).toBeEnabled()); // once the terms are in
  await userEvent.click(button);
}

async function drawAndSubmit() {
  drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [50, 50], [90, 10]]);
  await userEvent.click(screen.getByRole("button", { name: "Submit" }));
}

describe("GamePage: the terms", () => {
  it("shows the terms on a first visit, before any drawing, and records the agreement with the session id", async () => {
    const fetchMock = stubApi({ drawings: [() => json(201, created)] });
    render(<GamePage />);

    const panel = await termsPanel();
    expect(panel).toHaveTextContent("Before you draw");
    expect(screen.getByRole("link", { name: "CC BY 4.0" })).toHaveAttribute("href", TERMS.licenceUrl);
    expect(panel).toHaveTextContent("We keep your strokes, their timing and the kind of device you drew with.");
    expect(panel).toHaveTextContent('To withdraw, open "My drawings"');
    await screen.findByRole("heading", { name: "Draw a circle" });
    const canvas = screen.getByLabelText("Drawing canvas");
    drawStroke(canvas, [[10, 10], [50, 50]]);
    expect(canvas).toHaveAttribute("data-strokes", "0"); // nothing is drawn before the agreement

    await agree();
    await waitFor(() => expect(screen.queryByRole("region", { name: /terms/i })).not.toBeInTheDocument());
    const [[, init]] = calls(fetchMock, "/api/consent");
    expect(JSON.parse(init.body as string)).toEqual({ termsVersion: "1" });
    expect(new Headers(init.headers).get("X-Session-Id")).toBe(localStorage.getItem("crowdsketch.sessionId"));
    expect(localStorage.getItem("crowdsketch.termsVersion")).toBe("1");

    await drawAndSubmit();
    expect(await screen.findByRole("status", { name: "Drawing saved" })).toHaveTextContent("90%");
  });

  it("shows no terms on a later visit while their version is the one agreed to", async () => {
    agreedBefore();
    const fetchMock = stubApi({ drawings: [() => json(201, created)] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await waitFor(() => expect(calls(fetchMock, "/api/terms")).toHaveLength(1));

    await drawAndSubmit();
    expect(await screen.findByRole("status", { name: "Drawing saved" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: /terms/i })).not.toBeInTheDocument();
    expect(calls(fetchMock, "/api/consent")).toHaveLength(0);
  });

  it("shows the terms again when they changed since the agreement", async () => {
    agreedBefore("0");
    stubApi({});
    render(<GamePage />);
    expect(await termsPanel()).toBeInTheDocument();
  });

  it("shows no terms when the operator does not ask for consent", async () => {
    const fetchMock = stubApi({ terms: [() => termsAnswer({ required: false } satisfies Partial<Terms>)], drawings: [() => json(201, created)] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await waitFor(() => expect(screen.getByRole("button", { name: "Skip" })).toBeEnabled());

    await drawAndSubmit();
    expect(await screen.findByRole("status", { name: "Drawing saved" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: /terms/i })).not.toBeInTheDocument();
    expect(calls(fetchMock, "/api/consent")).toHaveLength(0);
  });

  it("shows the terms again when a drawing is refused for want of consent, and sends that drawing once agreed", async () => {
    agreedBefore();
    const fetchMock = stubApi({ drawings: [() => consentRequired(), () => json(201, created)] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await drawAndSubmit();

    const panel = await termsPanel();
    expect(panel).toHaveTextContent("Your drawing is kept");
    expect(screen.getByRole("heading", { name: "Before you draw: the terms" })).toHaveFocus();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(localStorage.getItem("crowdsketch.termsVersion")).toBeNull();
    expect(screen.getByLabelText("Drawing canvas")).toHaveAttribute("data-strokes", "1");

    await agree();
    expect(await screen.findByRole("status", { name: "Drawing saved" })).toHaveTextContent("90%");
    expect(screen.queryByRole("region", { name: /terms/i })).not.toBeInTheDocument();
    expect(calls(fetchMock, "/api/consent")).toHaveLength(1);
    const posts = calls(fetchMock, "/api/drawings");
    expect(posts).toHaveLength(2);
    const keys = posts.map(([, init]) => (init.headers as Headers).get("X-Idempotency-Key"));
    expect(keys[1]).toBe(keys[0]);
    expect(posts[1][1].body).toBe(posts[0][1].body); // the very drawing that was refused
  });

  it("says the terms changed when a drawing is refused for a newer version", async () => {
    agreedBefore();
    stubApi({ terms: [() => termsAnswer(), () => termsAnswer({ version: "2" })], drawings: [() => consentRequired("2")] });
    render(<GamePage />);
    await screen.findByRole("heading", { name: "Draw a circle" });
    await drawAndSubmit();

    expect(await termsPanel()).toHaveTextContent(TERMS_CHANGED);
  });

  it("reads the terms again when they changed while they were shown", async () => {
    const fetchMock = stubApi({
      terms: [() => termsAnswer(), () => termsAnswer({ version: "2" })],
      consents: [
        () =>
          json(400, {
            error: "VALIDATION_ERROR",
            message: "termsVersion: not the current terms",
            requestId: "r3",
            details: [{ field: "termsVersion", message: "not the current terms" }],
          }),
      ],
    });
    render(<GamePage />);
    await termsPanel();
    await agree();
    expect(await screen.findByText(TERMS_CHANGED)).toBeInTheDocument();
    await waitFor(() => expect(calls(fetchMock, "/api/terms")).toHaveLength(2));
    await agree();
    await waitFor(() => expect(screen.queryByRole("region", { name: /terms/i })).not.toBeInTheDocument());
    const versions = calls(fetchMock, "/api/consent").map(([, init]) => JSON.parse(init.body as string).termsVersion);
    expect(versions).toEqual(["1", "2"]);
    expect(localStorage.getItem("crowdsketch.termsVersion")).toBe("2");
  });

  it("offers Retry when the terms could not be fetched", async () => {
    stubApi({ terms: [() => json(500, { error: "INTERNAL_ERROR", message: "Something broke", requestId: "r2" }), () => termsAnswer()] });
    render(<GamePage />);
    const panel = await termsPanel();
    expect(await screen.findByRole("alert")).toHaveTextContent("The terms could not be loaded.");

    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("button", { name: "I agree" })).toBeEnabled();
    expect(panel).not.toHaveTextContent("Something broke");
  });
});
