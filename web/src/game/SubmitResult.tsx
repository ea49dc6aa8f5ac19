import type { DrawingCreated } from "../api/collection";
import { inSentence } from "./PromptHeading";

export interface SubmitResultProps {
  result: DrawingCreated;
  /** The player kept a drawing the model took for another shape ("Submit anyway"). */
  keptDespiteDoubt?: boolean;
}

function verdict(score: number, keptDespiteDoubt: boolean): string {
  if (keptDespiteDoubt) return "Thanks, kept as you drew it!";
  if (score >= 0.8) return "Great drawing!";
  if (score >= 0.5) return "Nice one!";
  return "Thanks! Try a bit bigger and bolder next time.";
}

/** What the player gets back for a saved drawing: its quality score and their totals. */
export function SubmitResult({ result, keptDespiteDoubt = false }: SubmitResultProps) {
  const percent = Math.round(result.qualityScore * 100);
  const { today, total } = result.userStats;
  return (
    <section className="result" role="status" aria-label="Drawing saved">
      <p className="result__verdict">
        {verdict(result.qualityScore, keptDespiteDoubt)} Your {inSentence(result.shape.name)} scored <strong>{percent}%</strong>.
      </p>
      <div className="bar" role="meter" aria-label="Quality score" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span className="bar__fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="result__stats">
        {today} today · {total} in all
      </p>
    </section>
  );
}
