import { armOf, type Experiment } from "../../api/experiments";
import { Link } from "../../router/router";
import { experimentPath } from "./experimentLinks";
import { STATUS_TEXT, verdictText } from "./experimentText";

const version = (experiment: Experiment, arm: "control" | "treatment") => {
  const found = armOf(experiment, arm);
  return found ? `v${found.modelVersion}` : "—";
};

/** Every experiment, newest first, each linking to its page. */
export function ExperimentTable({ experiments }: { experiments: Experiment[] }) {
  return (
    <div className="admin-scroll">
      <table className="admin-table experiment-table">
        <caption className="visually-hidden">Experiments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Control</th>
            <th scope="col">Treatment</th>
            <th scope="col">Treatment share</th>
            <th scope="col">Started</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {experiments.map((experiment) => (
            <tr key={experiment.id}>
              <th scope="row">
                <Link to={experimentPath(experiment.id)}>{experiment.name}</Link>
              </th>
              <td>
                <span className={`admin-badge admin-badge--${experiment.status === "promoted" ? "completed" : experiment.status}`}>
                  {STATUS_TEXT[experiment.status]}
                </span>
              </td>
              <td>{version(experiment, "control")}</td>
              <td>{version(experiment, "treatment")}</td>
              <td>{Math.round(experiment.share * 100)}%</td>
              <td title={new Date(experiment.startedAt).toLocaleString()}>{new Date(experiment.startedAt).toLocaleDateString()}</td>
              <td className="experiment-table__verdict">{verdictText(experiment)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
