// The page's side of the in-browser model: fetches the active model's card and ONNX file
// (by version, so the browser caches the file for good), hands them to the worker, and turns
// the worker's scores into the same Classification the server answers.
import { fetchModelCard, fetchModelFile, type Classification, type ModelCard } from "../api/inference";
import type { Stroke } from "../api/strokes";
import type { WorkerAnswer, WorkerRequest, WorkerScores } from "./protocol";
import type { BrowserClassifier } from "./types";

type Pending = { resolve: (scores: WorkerScores | undefined) => void; reject: (error: Error) => void };

export class BrowserModel implements BrowserClassifier {
  card: ModelCard | null = null;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private loading: Promise<ModelCard> | null = null;

  constructor(worker: Worker) {
    this.worker = worker;
    worker.onmessage = ({ data }: MessageEvent<WorkerAnswer>) => {
      const waiting = this.pending.get(data.id);
      this.pending.delete(data.id);
      if (!waiting) return;
      if (data.ok) waiting.resolve(data.scores);
      else waiting.reject(new Error(data.error));
    };
    worker.onerror = (event) => {
      const error = new Error(event.message || "the inference worker failed");
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
  }

  sync(version?: number): Promise<ModelCard> {
    if (this.loading) return this.loading;
    if (this.card && version === this.card.version) return Promise.resolve(this.card);
    this.loading = this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async classify(strokes: readonly Stroke[]): Promise<Classification> {
    const card = this.loading ? await this.loading : (this.card ?? (await this.sync()));
    const scores = await this.request({ type: "classify", strokes });
    if (!scores) throw new Error("the inference worker answered without scores");
    const ranked = card.classes
      .map((shape, i) => ({ shape, confidence: scores.probabilities[i] }))
      .sort((a, b) => b.confidence - a.confidence);
    return {
      shape: ranked[0].shape,
      confidence: ranked[0].confidence,
      allPredictions: ranked,
      inferenceTimeMs: scores.timeMs,
      modelVersion: scores.version,
    };
  }

  private async load(): Promise<ModelCard> {
    // The card and the file are asked for separately: if another model became active in
    // between, the file by the card's version answers 404, and the card is asked again.
    for (let attempt = 0; ; attempt++) {
      const card = await fetchModelCard();
      if (this.card && card.version === this.card.version && card.id === this.card.id) return this.card;
      try {
        const model = await fetchModelFile(card.version);
        await this.request({ type: "load", card, model }, [model]);
        this.card = card;
        return card;
      } catch (error) {
        if (attempt >= 2 || !(error instanceof Error && "status" in error && error.status === 404)) throw error;
      }
    }
  }

  private request(message: DistributiveOmit<WorkerRequest, "id">, transfer: Transferable[] = []): Promise<WorkerScores | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function createBrowserModel(): BrowserModel {
  return new BrowserModel(new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "crowdsketch-model" }));
}
