import { axisLabels, niceMax, ticks } from "./scale";

export interface Column {
  label: string;
  value: number;
  /** Longer text for the tooltip, e.g. a full date. */
  description?: string;
}

export interface ColumnChartProps {
  title: string;
  columns: Column[];
  /** Label every n-th column on the x axis (all when 1). */
  labelEvery?: number;
}

const WIDTH = 400;
const HEIGHT = 190;
const LEFT = 40;
const BOTTOM = 24;
const TOP = 8;

/** Vertical columns over an ordered axis (days, histogram bins). */
export function ColumnChart({ title, columns, labelEvery = 1 }: ColumnChartProps) {
  const max = niceMax(Math.max(0, ...columns.map((column) => column.value)));
  const plotWidth = WIDTH - LEFT - 4;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(columns.length, 1);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const yTicks = ticks(max);
  const yLabels = axisLabels(yTicks);
  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        {yTicks.map((tick, i) => (
          <g key={tick}>
            <line x1={LEFT} x2={WIDTH - 4} y1={y(tick)} y2={y(tick)} className="chart__grid" />
            <text x={LEFT - 4} y={y(tick)} className="chart__axis" textAnchor="end" dominantBaseline="middle">
              {yLabels[i]}
            </text>
          </g>
        ))}
        {columns.map((column, i) => {
          const x = LEFT + i * slot;
          return (
            <g key={`${column.label}-${i}`}>
              <title>{`${column.description ?? column.label}: ${column.value}`}</title>
              <rect
                x={x + slot * 0.1}
                y={y(column.value)}
                width={slot * 0.8}
                height={TOP + plotHeight - y(column.value)}
                className="chart__bar"
              />
              {i % labelEvery === 0 && (
                <text x={x + slot / 2} y={HEIGHT - 8} className="chart__axis" textAnchor="middle">
                  {column.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
