import { describe, expect, it, vi } from "vitest";
import type { ModelCard } from "../api/inference";
import { BrowserModel } from "./browserModel";
import { FAKE_CARD } from "./fake";
import type { WorkerAnswer, WorkerRequest } from "./protocol";
import { softmax } from "./softmax";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A worker that loads whatever it is sent and scores every drawing the same. */
function fakeWorker(probabilities = [0.2, 0.7, 0.1]) {
  const received: WorkerRequest[] = [];
  const worker = {
    onmessage: null as ((event: MessageEvent<WorkerAnswer>) => void) | null,
    onerror: null,
    postMessage(message: WorkerRequest) {
      received.push(message);
      const answer: WorkerAnswer =
        message.type === "load"
          ? { id: message.id, ok: true }
          : { id: message.id, ok: true, scores: { probabilities, timeMs: 1.5, version: loadedVersion(received) } };
      queueMicrotask(() => worker.onmessage?.({ data: answer } as MessageEvent<WorkerAnswer>));
    },
  };
  return { worker: worker as unknown as Worker, received };
}

const loadedVersion = (received: WorkerRequest[]) =>
  received.filter((m): m is Extract<WorkerRequest, { type: "load" }> => m.type === "load").at(-1)?.card.version ?? 0;

function stubServer(cards: ModelCard[]) {
  const fetchMock = vi.fn(async (url: string) => {
    if (url === "/api/inference/model/card") return json(200, cards.length > 1 ? cards.shift() : cards[0]);
    const version = /\?version=(\d+)$/.exec(url)?.[1];
    if (version && Number(version) === cards[0].version) return new Response(new Uint8Array([8, 1, 2]));
    return json(404, { error: "NOT_FOUND", message: "not the active version", requestId: "r" });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("BrowserModel", () => {
  it("fetches the card and the file by its version, once, and classifies like the server answers", async () => {
    const fetchMock = stubServer([FAKE_CARD]);
    const { worker, received } = fakeWorker();
    const model = new BrowserModel(worker);

    expect(await model.sync()).toEqual(FAKE_CARD);
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(["/api/inference/model/card", "/api/inference/model?version=3"]);
    expect(received[0]).toMatchObject({ type: "load", card: FAKE_CARD });
    await model.sync(3); // the version loaded: nothing asked
    expect(fetchMock).toHaveBeenCalledTimes(2);

    const answer = await model.classify([[[1, 2, 0], [3, 4, 16]]]);
    expect(answer).toEqual({
      shape: "square",
      confidence: 0.7,
      allPredictions: [{ shape: "square", confidence: 0.7 }, { shape: "circle", confidence: 0.2 }, { shape: "triangle", confidence: 0.1 }],
      inferenceTimeMs: 1.5,
      modelVersion: 3,
    });
    expect(fetchMock).toHaveBeenCalledTimes(2); // classifying asks the network nothing
  });

  it("loads a new active version, and asks the card again when the file moved on meanwhile", async () => {
    const v4 = { ...FAKE_CARD, id: "00000000-0000-4000-8000-000000000004", version: 4 };
    const fetchMock = stubServer([FAKE_CARD, v4]);
    const { worker, received } = fakeWorker();
    const model = new BrowserModel(worker);
    // The card said v3, but v4 is active by the time the file is asked for: 404, then v4.
    expect((await model.sync()).version).toBe(4);
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual([
      "/api/inference/model/card",
      "/api/inference/model?version=3",
      "/api/inference/model/card",
      "/api/inference/model?version=4",
    ]);
    expect(received.filter((m) => m.type === "load")).toHaveLength(1);
    expect((await model.classify([[[1, 2, 0]]])).modelVersion).toBe(4);
  });

  it("passes the worker's failure on", async () => {
    stubServer([FAKE_CARD]);
    const { worker } = fakeWorker();
    worker.postMessage = function (this: { onmessage: (event: MessageEvent<WorkerAnswer>) => void }, message: WorkerRequest) {
      queueMicrotask(() => this.onmessage({ data: { id: message.id, ok: false, error: "bad model" } } as MessageEvent<WorkerAnswer>));
    } as Worker["postMessage"];
    await expect(new BrowserModel(worker).sync()).rejects.toThrow("bad model");
  });
});

describe("softmax", () => {
  it("turns logits into probabilities that sum to one, stable for large logits", () => {
    const probabilities = softmax([1000, 1001, 999]);
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(probabilities[1]).toBeCloseTo(Math.exp(1) / (1 + Math.exp(1) + Math.exp(-1)), 12);
  });
});
