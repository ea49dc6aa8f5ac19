import type { ReactNode } from "react";
import type { ExperimentArm } from "../../api/experiments";
import { Link } from "../../router/router";
import { formatPercent } from "../charts/scale";
import { modelPath } from "../models/modelLinks";
import { ARM_TEXT, formatInterval, formatMs } from "./experimentText";

const ROWS: { label: string; cell: (arm: ExperimentArm) => ReactNode }[] = [
  { label: "Model", cell: (arm) => <Link to={modelPath(arm.modelId)}>v{arm.modelVersion}</Link> },
  { label: "Requests", cell: (arm) => arm.requests.toLocaleString() },
  { label: "Labelled", cell: (arm) => arm.labelled.toLocaleString() },
  { label: "Correct", cell: (arm) => arm.correct.toLocaleString() },
  { label: "Accuracy", cell: (arm) => (arm.accuracy === null ? "—" : formatPercent(arm.accuracy)) },
  { label: "95% interval", cell: (arm) => (arm.interval ? formatInterval(arm.interval) : "—") },
  { label: "Latency p50", cell: (arm) => formatMs(arm.latencyP50Ms) },
  { label: "Latency p95", cell: (arm) => formatMs(arm.latencyP95Ms) },
];

/** The arms side by side: a column each, a row a measure. */
export function ArmsTable({ arms }: { arms: ExperimentArm[] }) {
  return (
    <div className="admin-scroll">
      <table className="admin-table experiment-arms">
        <caption>Arms</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Measure</span>
            </th>
            {arms.map((arm) => (
              <th scope="col" key={arm.arm}>
                {ARM_TEXT[arm.arm]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {arms.map((arm) => (
                <td key={arm.arm}>{row.cell(arm)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
