import type { ExperimentArm } from "../../api/experiments";
import { formatWholePercent } from "../charts/scale";
import { ARM_TEXT, accuracyText } from "./experimentText";

const WIDTH = 400;
const ROW = 30;
const LABEL = 110;
const RIGHT = 16;
const AXIS = 22;

/** The axis: the intervals' span widened to whole multiples of 5 points, at least 10 wide. */
function domain(arms: ExperimentArm[]): [number, number] {
  const values = arms.flatMap((arm) => (arm.interval ? [arm.interval.low, arm.interval.high] : arm.accuracy !== null ? [arm.accuracy] : []));
  if (values.length === 0) return [0, 1];
  let low = Math.max(0, Math.floor(Math.min(...values) * 20) / 20);
  let high = Math.min(1, Math.ceil(Math.max(...values) * 20) / 20);
  while (high - low < 0.1 - 1e-9) {
    if (high < 1) high = Math.min(1, high + 0.05);
    else low = Math.max(0, low - 0.05);
  }
  return [low, high];
}

/** Each arm's accuracy as a dot on its 95% interval, the arms one above the other on one
 * axis, so an overlap is seen at a glance. The picture's text says the same numbers. */
export function IntervalChart({ arms }: { arms: ExperimentArm[] }) {
  const [low, high] = domain(arms);
  const span = WIDTH - LABEL - RIGHT;
  const x = (value: number) => LABEL + ((value - low) / (high - low)) * span;
  const height = arms.length * ROW + AXIS;
  const steps = Math.round((high - low) / 0.05);
  const every = steps > 8 ? 2 : 1;
  const ticks = Array.from({ length: Math.floor(steps / every) + 1 }, (_, i) => low + i * every * 0.05);
  const title = "Accuracy with its 95% interval";
  const description = arms.map((arm) => `${ARM_TEXT[arm.arm]} v${arm.modelVersion}: ${accuracyText(arm)}`).join("; ");
  return (
    <figure className="chart interval-chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${title}: ${description}`}>
        {ticks.map((tick) => (
          <g key={tick.toFixed(2)}>
            <line x1={x(tick)} x2={x(tick)} y1={0} y2={height - AXIS} className="chart__grid" />
            <text x={x(tick)} y={height - 6} className="chart__axis" textAnchor="middle">
              {formatWholePercent(tick)}
            </text>
          </g>
        ))}
        {arms.map((arm, i) => {
          const y = i * ROW + ROW / 2;
          return (
            <g key={arm.arm} className={`interval-chart__arm interval-chart__arm--${arm.arm}`}>
              <title>{`${ARM_TEXT[arm.arm]} v${arm.modelVersion}: ${accuracyText(arm)}`}</title>
              <text x={LABEL - 8} y={y} className="chart__label" textAnchor="end" dominantBaseline="middle">
                {`${ARM_TEXT[arm.arm]} v${arm.modelVersion}`}
              </text>
              {arm.interval && (
                <>
                  <line x1={x(arm.interval.low)} x2={x(arm.interval.high)} y1={y} y2={y} className="interval-chart__range" />
                  <line x1={x(arm.interval.low)} x2={x(arm.interval.low)} y1={y - 6} y2={y + 6} className="interval-chart__range" />
                  <line x1={x(arm.interval.high)} x2={x(arm.interval.high)} y1={y - 6} y2={y + 6} className="interval-chart__range" />
                </>
              )}
              {arm.accuracy !== null ? (
                <circle cx={x(arm.accuracy)} cy={y} r={5} className="interval-chart__dot" />
              ) : (
                <text x={LABEL} y={y} className="chart__axis" dominantBaseline="middle">
                  no labels yet
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
