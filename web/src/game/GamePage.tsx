import { useCallback, useEffect, useRef, useState } from "react";
import type { DrawingCreated } from "../api/collection";
import { isConsentRequired, requiredTermsVersion } from "../api/consent";
import { DrawingToolbar } from "../canvas/DrawingToolbar";
import { PostItCanvas } from "../canvas/PostItCanvas";
import { useDrawingShortcuts } from "../canvas/useDrawingShortcuts";
import { useStrokeCapture } from "../canvas/useStrokeCapture";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { openBrowserModel, type OpenClassifier } from "../inference";
import { Link } from "../router/router";
import { DrawTogetherButton } from "../together/DrawTogetherButton";
import { AgreementPrompt, doubtedAs } from "./AgreementPrompt";
import { MyDrawingsMenu } from "./MyDrawingsMenu";
import { PromptHeading } from "./PromptHeading";
import { LiveGuess } from "./LiveGuess";
import { getSessionId } from "./session";
import { SubmitResult } from "./SubmitResult";
import { TermsPanel } from "./TermsPanel";
import { useConsent } from "./useConsent";
import { useDrawingSubmit } from "./useDrawingSubmit";
import { useGameSettings } from "./useGameSettings";
import { usePrompt } from "./usePrompt";
import { useVerificationTurn } from "./useVerificationTurn";
import { VerificationCard } from "./VerificationCard";

export interface GamePageProps {
  /** The in-browser model for the live guess; loaded only when the operator has it on. */
  openClassifier?: OpenClassifier;
}

/** The drawing game: a prompt, a sticky note to draw on, and a score for each drawing. Now
 * and then a turn asks about another player's drawing instead. The terms come first, once.
 * While a drawing is drawn, the model may say what it sees (the operator's `liveGuess`). */
export function GamePage({ openClassifier = openBrowserModel }: GamePageProps) {
  const [sessionId] = useState(getSessionId);
  const settings = useGameSettings();
  const prompt = usePrompt(sessionId);
  const capture = useStrokeCapture();
  const verification = useVerificationTurn(sessionId);
  // A saved drawing the model took for another shape: the player chooses what comes next.
  const [doubted, setDoubted] = useState<{ result: DrawingCreated; seenAs: string } | null>(null);
  const [keptDespiteDoubt, setKeptDespiteDoubt] = useState(false);
  const { clear, recorder } = capture;
  const drawingSoFar = useCallback(() => (recorder.isDrawing ? recorder.strokes : null), [recorder]);
  const { show } = prompt;
  const { afterTurn } = verification;
  const moveOn = useCallback(
    (result: DrawingCreated) => {
      // The answer already names the next shape, so the next prompt is shown at once.
      setDoubted(null);
      show(result.nextShape);
      clear();
      afterTurn();
    },
    [show, clear, afterTurn],
  );
  const onSuccess = useCallback(
    (result: DrawingCreated) => {
      const seenAs = doubtedAs(result);
      setKeptDespiteDoubt(false);
      if (seenAs) setDoubted({ result, seenAs });
      else moveOn(result);
    },
    [moveOn],
  );
  const submitter = useDrawingSubmit({ sessionId, onSuccess });
  const { state, reset } = submitter;
  const failed = state.status === "error";

  // A drawing refused for want of consent waits, kept, while the terms are shown again; it is
  // sent once they are agreed to.
  const refusal = state.status === "error" && isConsentRequired(state.error) ? state.error : null;
  const consent = useConsent({
    sessionId,
    onAgreed: () => {
      if (refusal) void submitter.retry();
    },
  });
  const { askAgain } = consent;
  useEffect(() => {
    if (refusal) askAgain(requiredTermsVersion(refusal));
  }, [refusal, askAgain]);
  const waiting = consent.needed;
  const showTerms = waiting && !consent.checking;

  // Editing the drawing after a failure makes it a new drawing: its Retry no longer applies.
  const failedStrokes = useRef(capture.strokes);
  useEffect(() => {
    if (!failed) failedStrokes.current = capture.strokes;
    else if (failedStrokes.current !== capture.strokes) reset();
  }, [failed, capture.strokes, reset]);
  const submitting = state.status === "submitting";
  const canSubmit = prompt.shape !== null && !capture.isEmpty && !submitting && !doubted && !waiting;

  const submit = () => {
    const strokeData = capture.toStrokeData();
    if (!canSubmit || !prompt.shape || !strokeData) return;
    void submitter.submit({ shapeId: prompt.shape.id, strokeData });
  };
  const skip = () => {
    capture.clear();
    reset();
    prompt.load();
  };
  // The same prompt again on a fresh note; the doubted drawing stays saved.
  const retryPrompt = () => {
    setDoubted(null);
    reset();
    capture.clear();
  };
  // The totals shown with the last score counted drawings that are gone now; so is a
  // drawing the model doubted, and the agreement to the terms.
  const afterDeletion = () => {
    consent.forget();
    if (doubted) retryPrompt();
    else reset();
  };

  const verifying = verification.task !== null;
  useDrawingShortcuts({
    onSubmit: submit,
    onUndo: capture.undo,
    onClear: capture.clear,
    enabled: !submitting && !doubted && !verifying && !waiting,
  });

  if (verification.task) {
    return (
      <main className="page game">
        <VerificationCard
          task={verification.task}
          answering={verification.answering}
          error={verification.error}
          onAnswer={(answer) => void verification.answer(answer)}
          onSkip={verification.skip}
        />
        {/* The drawing just sent still gets its score: the question only follows it. */}
        {state.status === "success" && <SubmitResult result={state.result} keptDespiteDoubt={keptDespiteDoubt} />}
      </main>
    );
  }

  return (
    <main className="page game">
      <header className="game__header">
        <PromptHeading shape={prompt.shape} loading={prompt.loading} />
        <MyDrawingsMenu sessionId={sessionId} onDeleted={afterDeletion} />
      </header>
      {showTerms && (
        <TermsPanel
          terms={consent.terms}
          loading={consent.loading}
          agreeing={consent.agreeing}
          failure={consent.failure}
          onAgree={() => void consent.agree()}
          onReload={consent.reload}
          notices={[consent.notice, refusal ? "Your drawing is kept: it is sent as soon as you agree." : ""].filter(Boolean)}
          takeFocus={refusal !== null}
        />
      )}
      <ErrorDisplay error={prompt.error} onRetry={prompt.load} title="No shape could be fetched." />
      <PostItCanvas
        capture={capture}
        disabled={submitting || !prompt.shape || doubted !== null || waiting}
        placeholder={prompt.shape && !waiting ? "Draw here" : undefined}
      />
      {settings.liveGuess && !waiting && (
        <LiveGuess strokes={capture.strokes} inProgress={drawingSoFar} promptId={prompt.shape?.id ?? null} open={openClassifier} />
      )}
      <DrawingToolbar onUndo={capture.undo} onClear={capture.clear} canEdit={!capture.isEmpty && !submitting && !doubted && !waiting}>
        <button
          type="button"
          className="button button--quiet"
          onClick={skip}
          disabled={submitting || prompt.loading || doubted !== null || waiting}
        >
          Skip
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={submit}
          disabled={!canSubmit}
          aria-busy={submitting}
          aria-keyshortcuts="Enter"
        >
          Submit
        </button>
      </DrawingToolbar>
      {submitting && <p className="game__status" role="status">Saving your drawing…</p>}
      {doubted && (
        <AgreementPrompt
          result={doubted.result}
          seenAs={doubted.seenAs}
          onRetry={retryPrompt}
          onSubmitAnyway={() => {
            setKeptDespiteDoubt(true);
            moveOn(doubted.result);
          }}
        />
      )}
      {state.status === "success" && !doubted && (
        <SubmitResult result={state.result} keptDespiteDoubt={keptDespiteDoubt} />
      )}
      {state.status === "error" && !refusal && (
        <ErrorDisplay error={state.error} onRetry={() => void submitter.retry()} title="Your drawing was not saved." />
      )}
      <footer className="page__footer">
        <p className="hint">Enter submits · Ctrl/⌘+Z undoes · Esc clears</p>
        <DrawTogetherButton sessionId={sessionId} />
        <nav aria-label="Other pages">
          <Link to="/implementor">Try the model</Link>
        </nav>
      </footer>
    </main>
  );
}
