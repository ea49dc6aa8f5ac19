import type { ModelVersion } from "../../api/models";
import { LineChart, type Series } from "../charts/LineChart";
import { formatPercent, formatWholePercent } from "../charts/scale";

/** Names of the evaluation sets any model was scored on, sorted. */
export function evalSetNames(models: ModelVersion[]): string[] {
  return Array.from(new Set(models.flatMap((model) => (model.evaluations ?? []).map((e) => e.evalSet)))).sort();
}

/** Each evaluation set's accuracy across model versions, beside validation accuracy. */
export function EvalSetChart({ models }: { models: ModelVersion[] }) {
  const names = evalSetNames(models);
  if (names.length === 0) return null;
  const oldestFirst = [...models].sort((a, b) => a.version - b.version);
  const series: Series[] = [
    { name: "validation", points: oldestFirst.map((model) => ({ x: model.version, y: model.accuracy })) },
    ...names.map((name) => ({
      name,
      points: oldestFirst.flatMap((model) => {
        const evaluation = (model.evaluations ?? []).find((e) => e.evalSet === name);
        return evaluation ? [{ x: model.version, y: evaluation.accuracy }] : [];
      }),
    })),
  ];
  return (
    <LineChart
      title="Accuracy on evaluation sets across versions"
      series={series}
      yMax={1}
      xLabel="version"
      formatY={formatPercent}
      formatTick={formatWholePercent}
    />
  );
}
