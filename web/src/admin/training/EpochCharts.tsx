import type { EpochProgress } from "../../api/admin";
import { LineChart } from "../charts/LineChart";
import { formatPercent, formatWholePercent } from "../charts/scale";

export function EpochCharts({ epochs }: { epochs: EpochProgress[] }) {
  if (epochs.length === 0) return <p className="admin-muted">No epoch has finished yet.</p>;
  return (
    <div className="admin-charts admin-charts--pair">
      <LineChart title="Loss per epoch" xLabel="epoch" series={[{ name: "Training loss", points: epochs.map((e) => ({ x: e.epoch, y: e.loss })) }]} />
      <LineChart
        title="Accuracy per epoch"
        xLabel="epoch"
        yMax={1}
        formatY={formatPercent}
        formatTick={formatWholePercent}
        series={[
          { name: "Training accuracy", points: epochs.map((e) => ({ x: e.epoch, y: e.trainAccuracy })) },
          { name: "Validation accuracy", points: epochs.map((e) => ({ x: e.epoch, y: e.validationAccuracy })) },
        ]}
      />
    </div>
  );
}
