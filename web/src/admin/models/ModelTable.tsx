import type { ModelVersion } from "../../api/models";
import { Link } from "../../router/router";
import { formatPercent } from "../charts/scale";
import { datasetPath } from "../datasets/datasetLinks";
import { evalSetNames } from "./EvalSetChart";
import { modelRowId } from "./modelLinks";

export interface ModelTableProps {
  models: ModelVersion[];
  selectedId: string | undefined;
  activating: string | null;
  /** The model being re-scored, if any. */
  rescoring: string | null;
  onSelect: (id: string) => void;
  onActivate: (id: string) => void;
  onRescore: (id: string) => void;
  /** Opens the form that A/B tests this model against the active one. */
  onStartTest: (id: string) => void;
}

export function ModelTable({ models, selectedId, activating, rescoring, onSelect, onActivate, onRescore, onStartTest }: ModelTableProps) {
  const sets = evalSetNames(models);
  return (
    <div className="admin-scroll">
      <table className="admin-table model-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Accuracy</th>
            {sets.map((name) => (
              <th scope="col" key={name}>
                On {name}
              </th>
            ))}
            <th scope="col">Drawings</th>
            <th scope="col">Snapshot</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Evaluation</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr
              key={model.id}
              id={modelRowId(model.id)}
              className={model.id === selectedId ? "is-selected" : undefined}
              aria-current={model.id === selectedId ? "true" : undefined}
            >
              <th scope="row">
                <button type="button" className="admin-linkish" onClick={() => onSelect(model.id)} aria-pressed={model.id === selectedId}>
                  v{model.version}
                </button>
              </th>
              <td>
                {model.active ? (
                  <span className="admin-badge admin-badge--completed">Active</span>
                ) : (
                  <button
                    type="button"
                    className="button"
                    disabled={activating !== null}
                    aria-busy={activating === model.id}
                    aria-describedby={`model-${model.id}-version`}
                    onClick={() => onActivate(model.id)}
                  >
                    Activate
                  </button>
                )}
                {!model.active && (
                  <button type="button" className="button button--quiet" aria-describedby={`model-${model.id}-version`} onClick={() => onStartTest(model.id)}>
                    Start A/B test
                  </button>
                )}
                <span id={`model-${model.id}-version`} hidden>
                  version {model.version}
                </span>
              </td>
              <td>{formatPercent(model.accuracy)}</td>
              {sets.map((name) => {
                const evaluation = (model.evaluations ?? []).find((e) => e.evalSet === name);
                return <td key={name}>{evaluation ? formatPercent(evaluation.accuracy) : "—"}</td>;
              })}
              <td>{model.datasetSize.toLocaleString()}</td>
              <td>{model.datasetId ? <Link to={datasetPath(model.datasetId)}>{model.datasetName ?? model.datasetId.slice(0, 8)}</Link> : "—"}</td>
              <td title={new Date(model.createdAt).toLocaleString()}>{new Date(model.createdAt).toLocaleDateString()}</td>
              <td>
                <button
                  type="button"
                  className="button button--quiet"
                  aria-label={`Re-score version ${model.version}`}
                  disabled={rescoring !== null}
                  aria-busy={rescoring === model.id}
                  onClick={() => onRescore(model.id)}
                >
                  {rescoring === model.id ? "Re-scoring…" : "Re-score"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
