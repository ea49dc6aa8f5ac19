import type { Classification } from "../api/inference";
import type { StrokeData } from "../api/strokes";
import { StrokeThumbnail } from "../canvas/StrokeThumbnail";
import { shapeName, type ShapeNames } from "../common/shapeNames";

export interface PredictionDisplayProps {
  classification: Classification;
  strokeData: StrokeData;
  /** Shown in place of the ids where known. */
  names?: ShapeNames;
  /** Who answered, beside the time it took: "on the server", "in your browser". */
  where?: string;
}

const percent = (confidence: number) => Math.round(confidence * 1000) / 10;

function ConfidenceBar({ label, confidence, large = false }: { label: string; confidence: number; large?: boolean }) {
  const value = percent(confidence);
  return (
    <div
      className={large ? "bar bar--large" : "bar"}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={`${value}%`}
    >
      <span className="bar__fill" style={{ width: `${value}%` }} />
    </div>
  );
}

/** The model's answer: its best guess with a confidence bar, every class, and the input. */
export function PredictionDisplay({ classification, strokeData, names, where }: PredictionDisplayProps) {
  const ranked = [...classification.allPredictions].sort((a, b) => b.confidence - a.confidence);
  const best = shapeName(names, classification.shape);
  return (
    <section className="prediction" aria-label="Prediction">
      <div className="prediction__main">
        <StrokeThumbnail strokes={strokeData.strokes} size={96} label="Classified drawing" />
        <div className="prediction__best">
          <p className="prediction__shape">
            <strong>{best}</strong> <span>{percent(classification.confidence)}%</span>
          </p>
          <ConfidenceBar label={`Confidence in ${best}`} confidence={classification.confidence} large />
          <p className="prediction__meta">
            {classification.inferenceTimeMs.toFixed(1)} ms{where ? ` ${where}` : ""} · model v{classification.modelVersion}
          </p>
        </div>
      </div>
      <ol className="prediction__all" aria-label="All predictions">
        {ranked.map((item) => (
          <li key={item.shape} className="prediction__row">
            <span className="prediction__label">{shapeName(names, item.shape)}</span>
            <ConfidenceBar label={shapeName(names, item.shape)} confidence={item.confidence} />
            <span className="prediction__value">{percent(item.confidence)}%</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
