// A stand-in for the in-browser model in tests: answers each classify from a list, and
// records what it was asked.
import type { Classification, ModelCard } from "../api/inference";
import type { Stroke } from "../api/strokes";
import type { BrowserClassifier } from "./types";

export const FAKE_CARD: ModelCard = {
  id: "5f0c6c38-3c1e-4d43-9b34-2f3d4a5b6c7d",
  version: 3,
  classes: ["circle", "square", "triangle"],
  preprocessing: { size: 32, padding: 2, line_width: 1.5, max_points: 64 },
  inputName: "image",
  output: "logits",
};

export const guessOf = (shape: string, confidence: number): Classification => ({
  shape,
  confidence,
  allPredictions: [{ shape, confidence }, { shape: shape === "square" ? "circle" : "square", confidence: 1 - confidence }],
  inferenceTimeMs: 0.8,
  modelVersion: FAKE_CARD.version,
});

export class FakeClassifier implements BrowserClassifier {
  card: ModelCard | null = null;
  readonly asked: (readonly Stroke[])[] = [];
  syncs = 0;

  constructor(private readonly answers: Classification[]) {}

  async sync(): Promise<ModelCard> {
    this.syncs += 1;
    this.card = FAKE_CARD;
    return FAKE_CARD;
  }

  async classify(strokes: readonly Stroke[]): Promise<Classification> {
    this.asked.push(strokes);
    return this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
  }
}
