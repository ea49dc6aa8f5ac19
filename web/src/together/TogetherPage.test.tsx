import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { agreedBefore, termsAnswer } from "../game/consent.fixture";
import { drawStroke } from "../test/pointer";
import { FakeProvider } from "./provider.fixture";
import { StrokePen } from "./sharedDrawing";
import TogetherPage from "./TogetherPage";

vi.mock("y-websocket", async () => (await import("./provider.fixture")).yWebsocketModule);

const SESSION = "session-one";
const ROOM = "k3j9";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const joined = (ticket = "ticket-1") => ({
  ticket,
  participant: { id: "p1", name: "Guest 1", color: "#d62828" },
  limit: 8,
  round: 1,
  prompt: { id: "star", name: "Star" },
});

const FRIEND = { id: "p2", name: "Guest 2", color: "#1d3557" };

type Answer = (init: RequestInit) => Response;

/** The API as the tests' room serves it; each route answers from its queue, the last answer repeating. */
function stubApi(routes: Record<string, Answer[]>) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    if (url === "/api/terms") return termsAnswer();
    const answers = routes[url];
    if (!answers?.length) return json(404, { error: "NOT_FOUND", message: `no route ${url}`, requestId: "x" });
    return (answers.length > 1 ? answers.shift()! : answers[0])(init);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const callsTo = (fetchMock: ReturnType<typeof stubApi>, url: string) =>
  fetchMock.mock.calls.filter(([called]) => called === url) as unknown as Array<[string, RequestInit]>;

/** Another browser in the room draws a stroke; its update reaches this page's document. */
function friendDraws(doc: Y.Doc, points: Array<[number, number]>): void {
  const theirs = new Y.Doc();
  Y.applyUpdate(theirs, Y.encodeStateAsUpdate(doc));
  const pen = new StrokePen(theirs, FRIEND);
  pen.begin({ x: points[0][0], y: points[0][1], time: 1 });
  pen.extend(points.slice(1).map(([x, y], index) => ({ x, y, time: 2 + index })));
  pen.end();
  act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(doc)), "remote"));
}

async function renderJoined(): Promise<FakeProvider> {
  render(<TogetherPage />);
  expect(await screen.findByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
  const provider = await waitFor(() => FakeProvider.latest());
  act(() => provider.open());
  return provider;
}

describe("TogetherPage", () => {
  beforeEach(() => {
    FakeProvider.instances = [];
    localStorage.setItem("crowdsketch.sessionId", SESSION);
    agreedBefore();
    window.history.pushState(null, "", `/together/${ROOM}`);
  });

  it("joins with the session's id, shows the prompt and connects with the ticket", async () => {
    const fetchMock = stubApi({ [`/api/together/${ROOM}/join`]: [() => json(200, joined())] });
    const provider = await renderJoined();

    const [[, init]] = callsTo(fetchMock, `/api/together/${ROOM}/join`);
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("X-Session-Id")).toBe(SESSION);
    expect(provider.serverUrl).toBe(`ws://${window.location.host}/api/together`);
    expect(provider.roomname).toBe(ROOM);
    expect(provider.params).toEqual({ ticket: "ticket-1" });
    expect(provider.awareness.getLocalState()).toEqual({ participant: joined().participant });

    const status = screen.getByRole("status", { name: "Room status" });
    expect(status).toHaveTextContent("1 person here");
    expect(status).toHaveTextContent("Guest 1 (you)");
    expect(screen.getByRole("img", { name: "Drawing canvas" })).toBeInTheDocument();
    expect(screen.getByLabelText("Room link")).toHaveValue(`${window.location.origin}/together/${ROOM}`);
    expect(screen.getByText(/Up to 8 people/)).toBeInTheDocument();
  });

  it("shows who else is here and draws their strokes as they arrive", async () => {
    stubApi({ [`/api/together/${ROOM}/join`]: [() => json(200, joined())] });
    const provider = await renderJoined();

    act(() => provider.awareness.setRemote(99, { participant: FRIEND }));
    const status = screen.getByRole("status", { name: "Room status" });
    expect(status).toHaveTextContent("2 people here");
    expect(within(status).getByText("Guest 2")).toBeInTheDocument();

    const canvas = screen.getByRole("img", { name: "Drawing canvas" });
    friendDraws(provider.doc, [[10, 10], [40, 40]]);
    await waitFor(() => expect(canvas).toHaveAttribute("data-strokes", "1"));
    // Someone else's stroke: nothing of mine to undo, but something to submit.
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Submit" })).toBeEnabled();
  });

  it("Undo removes my last stroke and leaves the others' alone", async () => {
    stubApi({ [`/api/together/${ROOM}/join`]: [() => json(200, joined())] });
    const provider = await renderJoined();
    const canvas = screen.getByRole("img", { name: "Drawing canvas" });

    drawStroke(canvas, [[10, 10], [50, 50], [90, 10]]);
    friendDraws(provider.doc, [[100, 100], [120, 120]]);
    const strokes = provider.doc.getArray<Y.Map<unknown>>("strokes");
    expect(strokes.toArray().map((stroke) => stroke.get("author"))).toEqual(["p1", "p2"]);
    expect((strokes.get(0).get("points") as Y.Array<number[]>).length).toBe(3);

    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(strokes.toArray().map((stroke) => stroke.get("author"))).toEqual(["p2"]);
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
  });

  it("Submit sends the round, names who it waits for, and says when the drawing is saved", async () => {
    const fetchMock = stubApi({
      [`/api/together/${ROOM}/join`]: [() => json(200, joined())],
      [`/api/together/${ROOM}/ready`]: [() => json(200, { round: 1, ready: ["Guest 1"], waitingFor: ["Guest 2"], drawing: null })],
    });
    const provider = await renderJoined();
    act(() => provider.awareness.setRemote(99, { participant: FRIEND }));
    const submit = screen.getByRole("button", { name: "Submit" });
    expect(submit).toBeDisabled();
    expect(screen.getByText("The drawing is saved when everyone in the room has pressed Submit.")).toBeInTheDocument();

    drawStroke(screen.getByRole("img", { name: "Drawing canvas" }), [[10, 10], [50, 50]]);
    await userEvent.click(submit);

    expect(await screen.findByRole("status", { name: "Submit status" })).toHaveTextContent("Waiting for Guest 2…");
    const [[, init]] = callsTo(fetchMock, `/api/together/${ROOM}/ready`);
    expect(JSON.parse(init.body as string)).toEqual({ round: 1 });
    expect(new Headers(init.headers).get("X-Session-Id")).toBe(SESSION);
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled();

    // A third person comes; the room's ready list keeps the line current.
    const room = provider.doc.getMap<unknown>("room");
    act(() => {
      provider.awareness.setRemote(98, { participant: { id: "p3", name: "Guest 3", color: "#2a9d8f" } });
      provider.doc.transact(() => {
        room.set("round", 1);
        room.set("prompt", { id: "star", name: "Star" });
        room.set("ready", ["p1"]);
      });
    });
    expect(screen.getByRole("status", { name: "Submit status" })).toHaveTextContent("Waiting for Guest 2 and Guest 3…");
    act(() => room.set("ready", ["p1", "p2"]));
    expect(screen.getByRole("status", { name: "Submit status" })).toHaveTextContent("Waiting for Guest 3…");

    // Guest 3 presses Submit: the server stores the drawing and starts round 2.
    act(() =>
      provider.doc.transact(() => {
        provider.doc.getArray("strokes").delete(0, provider.doc.getArray("strokes").length);
        room.set("round", 2);
        room.set("prompt", { id: "house", name: "House" });
        room.set("ready", []);
        room.set("saved", { round: 1, drawingId: "d-1", qualityScore: 0.8 });
      }),
    );
    expect(screen.getByRole("status", { name: "Drawing saved" })).toHaveTextContent("Saved! It scored 80%. Next: draw a house.");
    expect(screen.getByRole("heading", { name: "Draw a house" })).toBeInTheDocument();
    expect(screen.queryByRole("status", { name: "Submit status" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled();
  });

  it("says the canvas is empty when the server finds nothing to save", async () => {
    stubApi({
      [`/api/together/${ROOM}/join`]: [() => json(200, joined())],
      [`/api/together/${ROOM}/ready`]: [
        () => json(400, { error: "EMPTY_DRAWING", message: "There is nothing on the canvas yet.", requestId: "r" }),
      ],
    });
    await renderJoined();
    drawStroke(screen.getByRole("img", { name: "Drawing canvas" }), [[10, 10], [50, 50]]);
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The drawing was not saved.");
    expect(alert).toHaveTextContent("There is nothing on the canvas yet.");
  });

  it("says so clearly when the room is full, and tries again on Retry", async () => {
    const fetchMock = stubApi({
      [`/api/together/${ROOM}/join`]: [
        () => json(409, { error: "ROOM_FULL", message: "The room already has 8 people.", requestId: "r" }),
        () => json(200, joined()),
      ],
    });
    render(<TogetherPage />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This room is full. Try again when someone leaves.");
    expect(FakeProvider.instances).toHaveLength(0);
    expect(screen.queryByRole("img", { name: "Drawing canvas" })).not.toBeInTheDocument();

    await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
    expect(callsTo(fetchMock, `/api/together/${ROOM}/join`)).toHaveLength(2);
  });

  it("says the link leads nowhere when there is no such room", async () => {
    stubApi({
      [`/api/together/${ROOM}/join`]: [() => json(404, { error: "ROOM_NOT_FOUND", message: "No such room.", requestId: "r" })],
    });
    render(<TogetherPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("There is no room at this link.");
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
  });

  it("shows the terms before joining, and joins once they are agreed to", async () => {
    localStorage.removeItem("crowdsketch.termsVersion");
    const fetchMock = stubApi({
      "/api/consent": [() => json(201, { termsVersion: "1", consentedAt: "2026-01-01T00:00:00Z" })],
      [`/api/together/${ROOM}/join`]: [() => json(200, joined())],
    });
    render(<TogetherPage />);
    await userEvent.click(await screen.findByRole("button", { name: "I agree" }));
    expect(await screen.findByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
    expect(callsTo(fetchMock, "/api/consent")).toHaveLength(1);
    expect(callsTo(fetchMock, `/api/together/${ROOM}/join`)).toHaveLength(1);
  });

  it("shows the terms again when the server wants consent for the join", async () => {
    stubApi({
      "/api/consent": [() => json(201, { termsVersion: "1", consentedAt: "2026-01-01T00:00:00Z" })],
      [`/api/together/${ROOM}/join`]: [
        () => json(403, { error: "CONSENT_REQUIRED", message: "Agree to the terms first.", requestId: "r" }),
        () => json(200, joined()),
      ],
    });
    render(<TogetherPage />);
    await userEvent.click(await screen.findByRole("button", { name: "I agree" }));
    expect(await screen.findByRole("heading", { name: "Draw a star" })).toBeInTheDocument();
  });

  it("stops and explains when the room sends this page away", async () => {
    stubApi({ [`/api/together/${ROOM}/join`]: [() => json(200, joined())] });
    const provider = await renderJoined();
    act(() => provider.closeWith(4010));
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("The room is full, so you were disconnected.");
    expect(provider.shouldConnect).toBe(false);
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled();

    await userEvent.click(within(alert).getByRole("button", { name: "Join again" }));
    await waitFor(() => expect(FakeProvider.instances).toHaveLength(2));
    expect(provider.destroyed).toBe(true);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("renews a refused ticket once and reconnects, then gives up on a second refusal", async () => {
    const fetchMock = stubApi({
      [`/api/together/${ROOM}/join`]: [() => json(200, joined("ticket-1")), () => json(200, joined("ticket-2"))],
    });
    const provider = await renderJoined();
    act(() => provider.closeWith(4401));
    await waitFor(() => expect(provider.params).toEqual({ ticket: "ticket-2" }));
    expect(provider.connects).toBe(1);
    expect(callsTo(fetchMock, `/api/together/${ROOM}/join`)).toHaveLength(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    act(() => provider.closeWith(4401));
    expect(screen.getByRole("alert")).toHaveTextContent("The room no longer recognised this page.");
    expect(FakeProvider.instances).toHaveLength(1);
  });
});
