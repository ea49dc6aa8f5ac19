import { axisLabels, formatNumber, integerTicks, niceMax, SERIES_COLORS, ticks } from "./scale";

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartProps {
  title: string;
  series: Series[];
  /** The top of the y axis; rounded up from the data when left out. */
  yMax?: number;
  xLabel?: string;
  /** For a point's tooltip. */
  formatY?: (value: number) => string;
  /** For the y axis labels; numbers with the same decimals (`axisLabels`) when left out. */
  formatTick?: (value: number) => string;
}

const WIDTH = 400;
const HEIGHT = 190;
const LEFT = 44;
const BOTTOM = 28;
const TOP = 8;
const RIGHT = 10;

/** Lines over an integer x axis (epochs), with a legend. */
export function LineChart({ title, series, yMax, xLabel, formatY = formatNumber, formatTick }: LineChartProps) {
  const all = series.flatMap((line) => line.points);
  const top = yMax ?? niceMax(Math.max(0, ...all.map((point) => point.y)));
  const xEnd = Math.max(2, ...all.map((point) => point.x));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const sx = (x: number) => LEFT + ((x - 1) / (xEnd - 1)) * plotWidth;
  const sy = (y: number) => TOP + plotHeight - (Math.min(Math.max(y, 0), top) / top) * plotHeight;
  const xTicks = integerTicks(1, xEnd);
  const yTicks = ticks(top);
  const yLabels = formatTick ? yTicks.map(formatTick) : axisLabels(yTicks);
  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        {yTicks.map((tick, i) => (
          <g key={tick}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={sy(tick)} y2={sy(tick)} className="chart__grid" />
            <text x={LEFT - 4} y={sy(tick)} className="chart__axis" textAnchor="end" dominantBaseline="middle">
              {yLabels[i]}
            </text>
          </g>
        ))}
        {xTicks.map((tick) => (
          <text key={tick} x={sx(tick)} y={HEIGHT - 12} className="chart__axis" textAnchor="middle">
            {tick}
          </text>
        ))}
        {xLabel && (
          <text x={WIDTH - RIGHT} y={HEIGHT - 1} className="chart__axis" textAnchor="end">
            {xLabel}
          </text>
        )}
        {series.map((line, i) => {
          const color = SERIES_COLORS[i % SERIES_COLORS.length];
          const d = line.points.map((p, j) => `${j === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
          return (
            <g key={line.name}>
              <path d={d} fill="none" stroke={color} strokeWidth={2} />
              {line.points.map((p) => (
                <circle key={p.x} cx={sx(p.x)} cy={sy(p.y)} r={3} fill={color}>
                  <title>{`${line.name}, ${xLabel ?? "x"} ${p.x}: ${formatY(p.y)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <ul className="chart__legend">
        {series.map((line, i) => (
          <li key={line.name}>
            <span className="chart__swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} aria-hidden="true" />
            {line.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
