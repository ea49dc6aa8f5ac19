import { useEffect, useRef, useState } from "react";
import type { BrowserClassifier, OpenClassifier } from "../inference";

export type BrowserModelState =
  | { status: "off" }
  | { status: "loading" }
  | { status: "ready"; version: number }
  | { status: "error"; message: string };

/** The in-browser model while `enabled`: opened (lazily: onnxruntime-web, its wasm and the
 * model file arrive only now), and loaded again when the server's active `version` moves on.
 * Once loaded it stays in memory, so classifying needs no network. */
export function useBrowserModel(enabled: boolean, version: number | null, open: OpenClassifier) {
  const [state, setState] = useState<BrowserModelState>({ status: "off" });
  const classifier = useRef<Promise<BrowserClassifier> | null>(null);

  useEffect(() => {
    if (!enabled) {
      setState({ status: "off" });
      return;
    }
    let live = true;
    classifier.current ??= open();
    const opening = classifier.current;
    opening.catch(() => {
      if (classifier.current === opening) classifier.current = null; // the next try opens again
    });
    setState((current) => (current.status === "ready" && current.version === version ? current : { status: "loading" }));
    opening
      .then((model) => model.sync(version ?? undefined))
      .then((card) => {
        if (live) setState({ status: "ready", version: card.version });
      })
      .catch((reason: unknown) => {
        if (live) setState({ status: "error", message: reason instanceof Error ? reason.message : String(reason) });
      });
    return () => {
      live = false;
    };
  }, [enabled, version, open]);

  return { state, classifier };
}
