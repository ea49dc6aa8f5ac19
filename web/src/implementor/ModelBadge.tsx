import { ErrorDisplay } from "../common/ErrorDisplay";
import { shapeName, type ShapeNames } from "../common/shapeNames";
import type { ModelInfoState } from "./useModelInfo";

export interface ModelBadgeProps {
  state: ModelInfoState;
  onReload: () => void;
  /** Shown in place of the ids where known. */
  names?: ShapeNames;
}

/** Which model answers: version, validation accuracy and its accuracy on each evaluation
 * set of real drawings (named), or why none answers. */
export function ModelBadge({ state, onReload, names }: ModelBadgeProps) {
  switch (state.status) {
    case "loading":
      return <p className="model-badge model-badge--loading">Checking the model…</p>;
    case "ready": {
      const { info } = state;
      return (
        <p className="model-badge" aria-label="Active model">
          <span className="model-badge__version">Model v{info.version}</span>
          <span className="model-badge__accuracy">{(info.accuracy * 100).toFixed(1)}% accuracy</span>
          {(info.evaluations ?? []).map((evaluation) => (
            <span
              key={evaluation.evalSet}
              className="model-badge__real"
              title={`${evaluation.drawings.toLocaleString()} real drawings the model never trained on`}
            >
              {(evaluation.accuracy * 100).toFixed(1)}% on {evaluation.evalSet}
            </span>
          ))}
          <span className="model-badge__classes" title={info.classes.map((id) => shapeName(names, id)).join(", ")}>
            {info.classes.length} shapes
          </span>
        </p>
      );
    }
    case "unavailable":
      return (
        <div className="model-badge model-badge--none" role="status">
          <p>
            <strong>No model is loaded yet.</strong> An admin has to train and activate one; until then
            classification answers 503.
          </p>
          <button type="button" className="button button--quiet" onClick={onReload}>
            Check again
          </button>
        </div>
      );
    case "error":
      return <ErrorDisplay error={state.error} onRetry={onReload} title="The model could not be checked." />;
  }
}
