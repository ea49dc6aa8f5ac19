import { useEffect, useRef, useState } from "react";
import type { Classification } from "../api/inference";
import type { Stroke } from "../api/strokes";
import type { BrowserClassifier, OpenClassifier } from "../inference";

export type LiveGuessState =
  | { status: "loading" }
  /** `guess` is null while the note is empty. */
  | { status: "ready"; guess: Classification | null }
  /** No model to guess with (none active, or it could not be loaded): the line keeps quiet. */
  | { status: "unavailable" };

export interface LiveGuessOptions {
  strokes: readonly Stroke[];
  open: OpenClassifier;
  /** The prompt's shape id: a new prompt is when a newly active model is picked up. */
  promptId: string | null;
  /** The drawing with the stroke being drawn, while one is; null otherwise. */
  inProgress?: () => readonly Stroke[] | null;
  /** How long after the last change to the drawing the model is asked. */
  delayMs?: number;
}

export const LIVE_GUESS_DELAY_MS = 200;

const pointCount = (strokes: readonly Stroke[]) => strokes.reduce((sum, stroke) => sum + stroke.length, 0);

/** Changes whenever the finished strokes do (a stroke added, undone, the note cleared), and
 * not when the same strokes come again in a new array (a stroke begins). */
const drawingKey = (strokes: readonly Stroke[]) => `${strokes.length}:${pointCount(strokes)}:${strokes.at(-1)?.at(-1)?.join(",") ?? ""}`;

/** The model's guess at the drawing so far, from the in-browser model: asked again a moment
 * after each stroke ends, and every `delayMs` while a stroke grows; only the answer for the
 * latest drawing is kept. */
export function useLiveGuess({ strokes, open, promptId, inProgress, delayMs = LIVE_GUESS_DELAY_MS }: LiveGuessOptions): LiveGuessState {
  const [state, setState] = useState<LiveGuessState>({ status: "loading" });
  const classifier = useRef<Promise<BrowserClassifier> | null>(null);
  const latest = useRef(0);

  useEffect(() => {
    let live = true;
    classifier.current ??= open();
    classifier.current
      .then((model) => model.sync())
      .then(() => {
        if (live) setState((current) => (current.status === "ready" ? current : { status: "ready", guess: null }));
      })
      .catch(() => {
        // A model already loaded keeps guessing when the check for a newer one fails.
        if (live) setState((current) => (current.status === "ready" ? current : { status: "unavailable" }));
      });
    return () => {
      live = false;
    };
  }, [open, promptId]);

  const ready = state.status === "ready";
  const finished = useRef(strokes);
  finished.current = strokes;
  const key = drawingKey(strokes);
  useEffect(() => {
    const call = ++latest.current;
    if (!ready) return;
    const drawing = finished.current;
    if (drawing.length === 0) {
      setState({ status: "ready", guess: null });
      return;
    }
    const timer = setTimeout(() => {
      classifier.current
        ?.then((model) => model.classify(drawing))
        .then((guess) => {
          if (call === latest.current) setState({ status: "ready", guess });
        })
        .catch(() => undefined);
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, ready, delayMs]);

  // While a stroke is drawn: its points so far, one request at a time, when it has grown.
  useEffect(() => {
    if (!ready || !inProgress) return;
    let asked = 0;
    let waiting = false;
    const timer = setInterval(() => {
      const drawing = inProgress();
      if (!drawing || waiting || pointCount(drawing) === asked) return;
      const copy = drawing.map((stroke) => [...stroke]);
      const call = ++latest.current;
      asked = pointCount(copy);
      waiting = true;
      classifier.current
        ?.then((model) => model.classify(copy))
        .then((guess) => {
          if (call === latest.current) setState({ status: "ready", guess });
        })
        .catch(() => undefined)
        .finally(() => {
          waiting = false;
        });
    }, delayMs);
    return () => clearInterval(timer);
  }, [ready, inProgress, delayMs]);

  return state;
}
