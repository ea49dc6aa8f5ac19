import { useEffect, useMemo, useState } from "react";
import type { ApiError } from "../api/client";
import { listShapes } from "../api/collection";
import { classifyStrokes } from "../api/inference";
import { DrawingToolbar } from "../canvas/DrawingToolbar";
import { PostItCanvas } from "../canvas/PostItCanvas";
import { useDrawingShortcuts } from "../canvas/useDrawingShortcuts";
import { useStrokeCapture } from "../canvas/useStrokeCapture";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { useShapeNames } from "../common/shapeNames";
import { openBrowserModel, type OpenClassifier } from "../inference";
import { Link } from "../router/router";
import { ApiKeyField } from "./ApiKeyField";
import { BrowserSwitch } from "./BrowserSwitch";
import { CallItYourself } from "./CallItYourself";
import { ModelBadge } from "./ModelBadge";
import { KEY_ERRORS, useApiKey } from "./useApiKey";
import { PredictionDisplay } from "./PredictionDisplay";
import { useBrowserModel } from "./useBrowserModel";
import { useClassify } from "./useClassify";
import { useModelInfo } from "./useModelInfo";
import "./implementor.css";

const ERROR_TITLES: Record<string, string> = {
  API_KEY_REQUIRED: "This server needs an API key to classify: enter yours below.",
  API_KEY_INVALID: "The API key was refused: it is wrong, or it was revoked.",
  RATE_LIMITED: "Too many requests with this API key for now.",
  QUOTA_EXCEEDED: "This API key's monthly quota is used up.",
};

function errorTitle(error: ApiError): string {
  if (error.status === 503) return "No model is loaded to classify with.";
  return ERROR_TITLES[error.code] ?? "The drawing could not be classified.";
}

export interface ImplementorPageProps {
  /** The in-browser model behind "Run in the browser"; opened only when it is switched on. */
  openClassifier?: OpenClassifier;
}

/** For developers calling the model: draw, classify, and see what the API answers, or what
 * the same model answers run in this browser. */
export default function ImplementorPage({ openClassifier = openBrowserModel }: ImplementorPageProps) {
  const model = useModelInfo();
  const names = useShapeNames(listShapes);
  const capture = useStrokeCapture();
  const [local, setLocal] = useState(false);
  const activeVersion = model.state.status === "ready" ? model.state.info.version : null;
  const browser = useBrowserModel(local, activeVersion, openClassifier);
  const { classifier } = browser;
  const apiKey = useApiKey();
  const { key, noteError } = apiKey;
  const send = useMemo<typeof classifyStrokes>(
    () =>
      local
        ? async (strokeData) => (await (classifier.current ?? openClassifier())).classify(strokeData.strokes)
        : (strokeData, signal) => classifyStrokes(strokeData, signal, key || undefined),
    [local, classifier, openClassifier, key],
  );
  const { state, classify, reset } = useClassify(send, local ? "in your browser" : "on the server");
  const busy = state.status === "classifying";
  const keyRefused = state.status === "error" && KEY_ERRORS.has(state.error.code);
  useEffect(() => {
    if (state.status === "error") noteError(state.error);
  }, [state, noteError]);

  const run = () => {
    const strokeData = capture.toStrokeData();
    if (strokeData && !busy) void classify(strokeData);
  };
  const clear = () => {
    capture.clear();
    reset();
  };

  useDrawingShortcuts({ onSubmit: run, onUndo: capture.undo, onClear: clear, enabled: !busy });

  return (
    <main className="page implementor">
      <header className="implementor__header">
        <h1>Try the model</h1>
        <ModelBadge state={model.state} onReload={model.reload} names={names} />
      </header>
      <BrowserSwitch on={local} onChange={setLocal} state={browser.state} />
      <PostItCanvas capture={capture} placeholder="Draw any shape" />
      <DrawingToolbar onUndo={capture.undo} onClear={clear} canEdit={!capture.isEmpty && !busy}>
        <button type="button" className="button button--primary" onClick={run} disabled={capture.isEmpty || busy} aria-busy={busy}>
          Classify
        </button>
      </DrawingToolbar>
      {state.status === "done" && (
        <PredictionDisplay
          classification={state.classification}
          strokeData={state.strokeData}
          names={names}
          where={state.where}
        />
      )}
      {state.status === "error" && (
        <ErrorDisplay error={state.error} onRetry={() => void classify(state.strokeData)} title={errorTitle(state.error)} />
      )}
      {apiKey.asked && !local && <ApiKeyField value={apiKey.value} onChange={apiKey.setKey} onSubmit={run} focus={keyRefused} />}
      <CallItYourself origin={window.location.origin} />
      <footer className="page__footer">
        <Link to="/">Back to the drawing game</Link>
      </footer>
    </main>
  );
}
