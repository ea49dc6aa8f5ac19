import type { DrawingCreated } from "../api/collection";
import { article, inSentence } from "./PromptHeading";

/** Below this agreement, and with another shape ranked first, the game asks before moving on. */
export const LOW_AGREEMENT = 0.3;

/** The shape the model saw instead of the prompted one, when it doubts the drawing. */
export function doubtedAs(result: DrawingCreated): string | null {
  const agreement = result.modelAgreement;
  const seen = result.modelShape;
  if (agreement === null || agreement === undefined || !seen) return null;
  return agreement < LOW_AGREEMENT && seen.id !== result.shape.id ? seen.name : null;
}

export interface AgreementPromptProps {
  result: DrawingCreated;
  seenAs: string;
  onRetry: () => void;
  onSubmitAnyway: () => void;
}

/** A kind word when the model sees another shape: draw it again, or keep it and move on.
 * The drawing is already saved either way; nothing the player did is lost. */
export function AgreementPrompt({ result, seenAs, onRetry, onSubmitAnyway }: AgreementPromptProps) {
  return (
    <section className="result agreement" role="status" aria-label="Model doubt">
      <p className="result__verdict">
        That looks more like {article(seenAs)} {inSentence(seenAs)} — want to try the {inSentence(result.shape.name)} again?
      </p>
      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={onRetry}>
          Retry
        </button>
        <button type="button" className="button" onClick={onSubmitAnyway}>
          Submit anyway
        </button>
      </div>
      <p className="result__stats">Your drawing is saved either way.</p>
    </section>
  );
}
