import { shapeName, type ShapeNames } from "../../common/shapeNames";

export interface ConfusionMatrixProps {
  classes: string[];
  /** matrix[true][predicted], counts. */
  matrix: number[][];
  /** Shown in place of the ids where known. */
  names?: ShapeNames;
}

const CELL = 28;
const LABEL = 90;
// Room for the slanted column names that run past the last column.
const OVERHANG = 48;

/** Each row is shaded against its own total, so a rare class's mistakes show as clearly as
 * a common one's; the diagonal (right answers) is blue, the rest red. */
export function ConfusionMatrix({ classes, matrix, names }: ConfusionMatrixProps) {
  const size = classes.length;
  const labels = classes.map((id) => shapeName(names, id));
  const width = LABEL + size * CELL + OVERHANG;
  const height = LABEL + size * CELL;
  return (
    <figure className="chart confusion">
      <figcaption className="chart__title">Confusion matrix (rows: true shape, columns: predicted)</figcaption>
      <div className="admin-scroll">
        <svg
          className="confusion__svg"
          viewBox={`0 0 ${width} ${height}`}
          style={{ maxWidth: width }}
          role="img"
          aria-label={`Confusion matrix of ${size} shapes`}
        >
          {classes.map((id, j) => (
            <text key={`col-${id}`} className="chart__axis" transform={`translate(${LABEL + j * CELL + CELL / 2},${LABEL - 6}) rotate(-60)`}>
              {labels[j]}
            </text>
          ))}
          {classes.map((trueId, i) => {
            const trueName = labels[i];
            const row = matrix[i] ?? [];
            const total = row.reduce((sum, n) => sum + n, 0);
            return (
              <g key={`row-${trueId}`}>
                <text x={LABEL - 6} y={LABEL + i * CELL + CELL / 2} className="chart__axis" textAnchor="end" dominantBaseline="middle">
                  {trueName}
                </text>
                {classes.map((predictedId, j) => {
                  const predicted = labels[j];
                  const count = row[j] ?? 0;
                  const share = total ? count / total : 0;
                  const hue = i === j ? 215 : 4;
                  const fill = count === 0 ? "#f4f4f1" : `hsl(${hue} 70% ${Math.round(92 - share * 50)}%)`;
                  return (
                    <g key={predictedId} data-testid="confusion-cell" data-count={count}>
                      <title>{`${trueName} drawn, ${predicted} predicted: ${count}`}</title>
                      <rect x={LABEL + j * CELL} y={LABEL + i * CELL} width={CELL - 1} height={CELL - 1} fill={fill} />
                      {count > 0 && (
                        <text
                          x={LABEL + j * CELL + CELL / 2}
                          y={LABEL + i * CELL + CELL / 2}
                          className={`confusion__count${share > 0.6 ? " confusion__count--light" : ""}`}
                          textAnchor="middle"
                          dominantBaseline="middle"
                        >
                          {count}
                        </text>
                      )}
                    </g>
                  );
                })}
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}
