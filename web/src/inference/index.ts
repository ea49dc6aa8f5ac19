// The one door to the in-browser model. Importing this costs nothing: onnxruntime-web, its
// wasm and the model arrive only when `openBrowserModel` is first called, and every page of
// the app then shares the one worker and the model in it (so it works offline once loaded).
import type { BrowserClassifier, OpenClassifier } from "./types";

export type { BrowserClassifier, OpenClassifier } from "./types";

let opened: Promise<BrowserClassifier> | null = null;

export const openBrowserModel: OpenClassifier = () => {
  opened ??= import("./browserModel").then(({ createBrowserModel }) => createBrowserModel());
  opened.catch(() => {
    opened = null; // a failed chunk load may succeed later
  });
  return opened;
};
