import type { ClassMetrics } from "../../api/admin";
import { formatPercent } from "../charts/scale";

export function PerClassTable({ classes, perClass }: { classes: string[]; perClass: Record<string, ClassMetrics> }) {
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
          {classes.map((name) => {
            const metrics = perClass[name];
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
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
