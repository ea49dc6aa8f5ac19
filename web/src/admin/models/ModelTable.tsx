import type { ModelVersion } from "../../api/admin";
import { formatPercent } from "../charts/scale";

export interface ModelTableProps {
  models: ModelVersion[];
  selectedId: string | undefined;
  activating: string | null;
  onSelect: (id: string) => void;
  onActivate: (id: string) => void;
}

export function ModelTable({ models, selectedId, activating, onSelect, onActivate }: ModelTableProps) {
  return (
    <div className="admin-scroll">
      <table className="admin-table model-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Drawings</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.id} className={model.id === selectedId ? "is-selected" : undefined}>
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
                <span id={`model-${model.id}-version`} hidden>
                  version {model.version}
                </span>
              </td>
              <td>{formatPercent(model.accuracy)}</td>
              <td>{model.datasetSize.toLocaleString()}</td>
              <td title={new Date(model.createdAt).toLocaleString()}>{new Date(model.createdAt).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
