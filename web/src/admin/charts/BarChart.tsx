import { formatNumber, niceMax } from "./scale";

export interface Bar {
  label: string;
  value: number;
  /** Drawn darker inside the bar, e.g. the unflagged part of a shape's drawings. */
  part?: number;
}

export interface BarChartProps {
  title: string;
  bars: Bar[];
  partLabel?: string;
}

const WIDTH = 400;
const ROW = 24;
const LABEL = 110;
const VALUE = 48;

/** Horizontal bars, one row a category: legible on a phone however many categories. */
export function BarChart({ title, bars, partLabel }: BarChartProps) {
  const max = niceMax(Math.max(0, ...bars.map((bar) => bar.value)));
  const span = WIDTH - LABEL - VALUE;
  const height = bars.length * ROW + 4;
  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        {bars.map((bar, i) => {
          const y = i * ROW + 2;
          const width = (bar.value / max) * span;
          const part = bar.part === undefined ? 0 : (bar.part / max) * span;
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${bar.value}${bar.part !== undefined && partLabel ? ` (${bar.part} ${partLabel})` : ""}`}</title>
              <text x={LABEL - 6} y={y + ROW / 2} className="chart__label" textAnchor="end" dominantBaseline="middle">
                {bar.label}
              </text>
              <rect x={LABEL} y={y + 3} width={width} height={ROW - 6} className="chart__bar chart__bar--light" rx={3} />
              {part > 0 && <rect x={LABEL} y={y + 3} width={part} height={ROW - 6} className="chart__bar" rx={3} />}
              <text x={LABEL + width + 4} y={y + ROW / 2} className="chart__value" dominantBaseline="middle">
                {formatNumber(bar.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
