/// <reference lib="webworker" />
// The model, run off the page's thread so drawing never waits for it. onnxruntime-web's
// wasm backend, one thread; its .wasm file is one of the app's own assets (no CDN).
import * as ort from "onnxruntime-web/wasm";
import wasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm?url";
import type { ModelCard } from "../api/inference";
import { penPath } from "./penPath";
import type { WorkerAnswer, WorkerRequest, WorkerScores } from "./protocol";
import { rasterize } from "./raster";
import { softmax } from "./softmax";

ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;

const scope = self as unknown as DedicatedWorkerGlobalScope;
let loaded: { card: ModelCard; session: ort.InferenceSession } | null = null;

async function load(card: ModelCard, model: ArrayBuffer): Promise<void> {
  const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ["wasm"] });
  const previous = loaded;
  loaded = { card, session };
  await previous?.session.release();
}

async function classify(strokes: Parameters<typeof rasterize>[0]): Promise<WorkerScores> {
  if (!loaded) throw new Error("no model is loaded in the browser yet");
  const { card, session } = loaded;
  const started = performance.now();
  const { size } = card.preprocessing;
  const feeds: Record<string, ort.Tensor> = {
    [card.inputName]: new ort.Tensor("float32", rasterize(strokes, card.preprocessing), [1, 1, size, size]),
  };
  // A model that also reads the pen's path (the card's `path`) takes it as a second input.
  if (card.path) {
    if (!card.pathInputName) throw new Error("the model card has a path spec but no pathInputName");
    feeds[card.pathInputName] = new ort.Tensor("float32", penPath(strokes, card.path), [1, 5, card.path.points]);
  }
  const outputs = await session.run(feeds);
  const logits = (outputs[card.output] ?? outputs[session.outputNames[0]]).data as Float32Array;
  const probabilities = softmax(Array.from(logits));
  return { probabilities, timeMs: performance.now() - started, version: card.version };
}

async function answer(data: WorkerRequest): Promise<WorkerAnswer> {
  try {
    if (data.type === "load") {
      await load(data.card, data.model);
      return { id: data.id, ok: true };
    }
    return { id: data.id, ok: true, scores: await classify(data.strokes) };
  } catch (error) {
    return { id: data.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

// One request at a time, in order: a session runs one inference at a time, and a classify
// sent after a load must see the new model.
let queue: Promise<unknown> = Promise.resolve();
scope.onmessage = ({ data }: MessageEvent<WorkerRequest>) => {
  queue = queue.then(async () => scope.postMessage(await answer(data)));
};
