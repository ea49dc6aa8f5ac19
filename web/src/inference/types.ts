// What the pages see of the in-browser model: load it, keep it current, classify with it.
// The game and the implementor portal take one of these as a prop, so tests pass a fake.
import type { Classification, ModelCard } from "../api/inference";
import type { Stroke } from "../api/strokes";

export interface BrowserClassifier {
  /** The card of the model loaded, or null before the first load. */
  readonly card: ModelCard | null;
  /** Load the active model when it is not the one loaded (a cheap card request, and the
   * ONNX file only for a new version). With `version`, nothing is asked when it is loaded. */
  sync(version?: number): Promise<ModelCard>;
  /** Classify in the browser, with no request: the model is in memory once loaded. */
  classify(strokes: readonly Stroke[]): Promise<Classification>;
}

/** How a page gets the classifier: lazily, since onnxruntime-web and the model are large. */
export type OpenClassifier = () => Promise<BrowserClassifier>;
