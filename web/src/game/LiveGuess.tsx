import { listShapes } from "../api/collection";
import type { Classification } from "../api/inference";
import type { Stroke } from "../api/strokes";
import { shapeName, useShapeNames, type ShapeNames } from "../common/shapeNames";
import type { OpenClassifier } from "../inference";
import { article, inSentence } from "./PromptHeading";
import { useLiveGuess } from "./useLiveGuess";

/** A guess of the prompted shape at least this sure is a hit. */
export const GOT_IT_CONFIDENCE = 0.8;

export function guessText(guess: Classification, promptId: string | null, names: ShapeNames): string {
  const name = inSentence(shapeName(names, guess.shape));
  if (guess.shape === promptId && guess.confidence >= GOT_IT_CONFIDENCE) return `Got it — that's ${article(name)} ${name}!`;
  return `I think it's ${article(name)} ${name}… (${Math.round(guess.confidence * 100)}%)`;
}

export interface LiveGuessProps {
  strokes: readonly Stroke[];
  /** The drawing with the stroke being drawn, while one is; null otherwise. */
  inProgress?: () => readonly Stroke[] | null;
  promptId: string | null;
  open: OpenClassifier;
}

/** One line under the note: what the model sees in the drawing so far. Rendered only when
 * the operator has the live guess on; the model loads when this first shows. */
export function LiveGuess({ strokes, inProgress, promptId, open }: LiveGuessProps) {
  const names = useShapeNames(listShapes);
  const state = useLiveGuess({ strokes, open, promptId, inProgress });
  if (state.status === "unavailable") return null;
  const text =
    state.status === "loading"
      ? strokes.length > 0
        ? "The model is warming up…"
        : ""
      : state.guess
        ? guessText(state.guess, promptId, names)
        : "";
  const hit = state.status === "ready" && state.guess?.shape === promptId && (state.guess?.confidence ?? 0) >= GOT_IT_CONFIDENCE;
  return (
    <p className={hit ? "live-guess live-guess--hit" : "live-guess"} role="status" aria-live="polite" aria-label="Model's guess">
      {text}
    </p>
  );
}
