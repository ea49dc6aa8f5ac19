import type { DatasetRead } from "../../api/datasets";
import { shapeName, type ShapeNames } from "../../common/shapeNames";
import { Link } from "../../router/router";
import { modelPath } from "../models/modelLinks";
import { datasetPath } from "./datasetLinks";

export interface DatasetTableProps {
  datasets: DatasetRead[];
  names: ShapeNames;
  /** The snapshot just made, marked in the table. */
  highlightId?: string;
}

/** "circle, square, star", by the names people read. */
export function shapeList(perShape: Record<string, number>, names: ShapeNames): string {
  return Object.keys(perShape)
    .map((id) => shapeName(names, id))
    .join(", ");
}

export function DatasetTable({ datasets, names, highlightId }: DatasetTableProps) {
  return (
    <div className="admin-scroll">
      <table className="admin-table dataset-table">
        <caption className="visually-hidden">Snapshots, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Drawings</th>
            <th scope="col">Shapes</th>
            <th scope="col">Created</th>
            <th scope="col">Models</th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((dataset) => (
            <tr key={dataset.id} className={dataset.id === highlightId ? "is-selected" : undefined}>
              <th scope="row">
                <Link to={datasetPath(dataset.id)}>{dataset.name}</Link>
                {dataset.implicit && <span className="admin-badge dataset-table__implicit">made by a training job</span>}
              </th>
              <td>
                {dataset.drawings.toLocaleString()}
                {dataset.withdrawn > 0 && <span className="admin-muted"> ({dataset.withdrawn.toLocaleString()} withdrawn)</span>}
              </td>
              <td className="dataset-table__shapes" title={shapeList(dataset.perShape, names)}>
                {shapeList(dataset.perShape, names)}
              </td>
              <td title={new Date(dataset.createdAt).toLocaleString()}>{new Date(dataset.createdAt).toLocaleDateString()}</td>
              <td>
                {dataset.models.length === 0
                  ? "—"
                  : dataset.models.map((model, i) => (
                      <span key={model.id}>
                        {i > 0 && ", "}
                        <Link to={modelPath(model.id)}>v{model.version}</Link>
                      </span>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
