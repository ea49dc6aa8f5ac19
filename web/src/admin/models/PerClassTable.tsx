import type { ClassMetrics } from "../../api/models";
import { shapeName, type ShapeNames } from "../../common/shapeNames";
import { formatPercent } from "../charts/scale";

export interface PerClassTableProps {
  classes: string[];
  perClass: Record<string, ClassMetrics>;
  /** Shown in place of the ids where known. */
  names?: ShapeNames;
}

export function PerClassTable({ classes, perClass, names }: PerClassTableProps) {
  return (
    <div className="admin-scroll">
      <table className="admin-table">
        <caption>Per class (validation set)</caption>
        <thead>
          <tr>
            <th scope="col">Shape</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">Support</th>
          </tr>
        </thead>
        <tbody>
          {classes.map((id) => {
            const metrics = perClass[id];
            return (
              <tr key={id}>
                <th scope="row">{shapeName(names, id)}</th>
                <td>{metrics ? formatPercent(metrics.precision) : "—"}</td>
                <td>{metrics ? formatPercent(metrics.recall) : "—"}</td>
                <td>{metrics ? metrics.support : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
