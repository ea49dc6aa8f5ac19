import { listShapes } from "../api/collection";
import { DrawingToolbar } from "../canvas/DrawingToolbar";
import { PostItCanvas } from "../canvas/PostItCanvas";
import { useDrawingShortcuts } from "../canvas/useDrawingShortcuts";
import { useStrokeCapture } from "../canvas/useStrokeCapture";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { useShapeNames } from "../common/shapeNames";
import { Link } from "../router/router";
import { ModelBadge } from "./ModelBadge";
import { PredictionDisplay } from "./PredictionDisplay";
import { useClassify } from "./useClassify";
import { useModelInfo } from "./useModelInfo";

const curlExample = (origin: string) => `curl -X POST ${origin}/api/inference/classify \\
  -H 'Content-Type: application/json' \\
  -d '{"strokeData": {"canvas": {"width": 400, "height": 400},
       "strokes": [[[120, 80, 0], [200, 90, 16]]],
       "duration_ms": 16, "device": "mouse"}}'`;

/** For developers calling the model: draw, classify, and see what the API answers. */
export default function ImplementorPage() {
  const model = useModelInfo();
  const names = useShapeNames(listShapes);
  const capture = useStrokeCapture();
  const { state, classify, reset } = useClassify();
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
      <PostItCanvas capture={capture} placeholder="Draw any shape" />
      <DrawingToolbar onUndo={capture.undo} onClear={clear} canEdit={!capture.isEmpty && !busy}>
        <button type="button" className="button button--primary" onClick={run} disabled={capture.isEmpty || busy} aria-busy={busy}>
          Classify
        </button>
      </DrawingToolbar>
      {state.status === "done" && <PredictionDisplay classification={state.classification} strokeData={state.strokeData} names={names} />}
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
      </details>
      <footer className="page__footer">
        <Link to="/">Back to the drawing game</Link>
      </footer>
    </main>
  );
}
