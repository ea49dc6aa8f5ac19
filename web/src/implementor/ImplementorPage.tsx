import { useMemo, useState } from "react";
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
import { browserExample, curlExample } from "./apiExamples";
import { BrowserSwitch } from "./BrowserSwitch";
import { ModelBadge } from "./ModelBadge";
import { PredictionDisplay } from "./PredictionDisplay";
import { useBrowserModel } from "./useBrowserModel";
import { useClassify } from "./useClassify";
import { useModelInfo } from "./useModelInfo";

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
  const send = useMemo<typeof classifyStrokes>(
    () => (local ? async (strokeData) => (await (classifier.current ?? openClassifier())).classify(strokeData.strokes) : classifyStrokes),
    [local, classifier, openClassifier],
  );
  const { state, classify, reset } = useClassify(send, local ? "in your browser" : "on the server");
  const busy = state.status === "classifying";

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
        <ErrorDisplay
          error={state.error}
          onRetry={() => void classify(state.strokeData)}
          title={state.error.status === 503 ? "No model is loaded to classify with." : "The drawing could not be classified."}
        />
      )}
      <details className="implementor__api">
        <summary>Call it yourself</summary>
        <p>
          <code>POST /api/inference/classify</code> answers <code>{"{shape, confidence, allPredictions, inferenceTimeMs, modelVersion}"}</code>.
          The full schema is at <a href="/docs">/docs</a>.
        </p>
        <pre>{curlExample(window.location.origin)}</pre>
        <p>
          The same model runs in a browser with <code>onnxruntime-web</code> (npm):{" "}
          <code>GET /api/inference/model/card</code> gives its classes, preprocessing and input, and{" "}
          <code>GET /api/inference/model?version=N</code> its ONNX file.
        </p>
        {/* Focusable: its long lines scroll sideways, and a keyboard must reach them. */}
        <pre tabIndex={0}>{browserExample(window.location.origin)}</pre>
      </details>
      <footer className="page__footer">
        <Link to="/">Back to the drawing game</Link>
      </footer>
    </main>
  );
}
