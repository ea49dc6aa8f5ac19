import type { VerificationAnswer, VerificationTask } from "../api/quality";
import type { ApiError } from "../api/client";
import { StrokeThumbnail } from "../canvas/StrokeThumbnail";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { article, inSentence } from "./PromptHeading";

export interface VerificationCardProps {
  task: VerificationTask;
  answering: boolean;
  error: ApiError | null;
  onAnswer: (answer: VerificationAnswer) => void;
  onSkip: () => void;
}

/** A verification turn: someone else's drawing and one question about it. */
export function VerificationCard({ task, answering, error, onAnswer, onSkip }: VerificationCardProps) {
  const name = inSentence(task.shape.name);
  return (
    <section className="verify" aria-labelledby="verify-question">
      <h1 id="verify-question" className="prompt">
        Is this {article(name)} <strong className="prompt__shape">{name}</strong>?
      </h1>
      <p className="verify__hint">Another player drew this. Your answer helps the model learn.</p>
      <StrokeThumbnail
        className="verify__drawing"
        strokes={task.strokeData.strokes}
        canvas={task.strokeData.canvas}
        size={280}
        label="Another player's drawing"
      />
      <div className="toolbar" role="group" aria-label="Your answer">
        <button type="button" className="button button--primary" onClick={() => onAnswer("yes")} disabled={answering}>
          Yes
        </button>
        <button type="button" className="button" onClick={() => onAnswer("no")} disabled={answering}>
          No
        </button>
        <button type="button" className="button button--quiet" onClick={() => onAnswer("unsure")} disabled={answering}>
          Not sure
        </button>
      </div>
      <ErrorDisplay error={error} title="Your answer was not saved." />
      {error && (
        <p className="verify__skip">
          <button type="button" className="button button--quiet" onClick={onSkip}>
            Back to drawing
          </button>
        </p>
      )}
    </section>
  );
}
