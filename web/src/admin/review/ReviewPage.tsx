import { useCallback, useRef, useState } from "react";
import { listShapes } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { Link } from "../../router/router";
import { useApiResource } from "../useApiResource";
import { LabelIssueScanSection } from "./LabelIssueScanSection";
import { RelabelChooser } from "./RelabelChooser";
import { ReviewDrawing } from "./ReviewDrawing";
import { ReviewReasons } from "./ReviewReasons";
import { useReviewKeys } from "./useReviewKeys";
import { useReviewQueue } from "./useReviewQueue";

/** The most doubtful drawings, one at a time, each accepted, flagged or relabelled from the keyboard. */
export function ReviewPage() {
  const queue = useReviewQueue();
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const shapes = useApiResource(loadShapes);
  // The drawing the shape chooser is open for; it closes by itself when another is shown.
  const [relabelling, setRelabelling] = useState<string | null>(null);
  const relabelButton = useRef<HTMLButtonElement>(null);
  const { current } = queue;
  const choosing = current !== undefined && relabelling === current.drawingId;
  const busy = queue.busy !== null;

  const openChooser = () => {
    if (current && !busy) setRelabelling(current.drawingId);
  };
  const cancelChooser = () => {
    setRelabelling(null);
    relabelButton.current?.focus();
  };

  useReviewKeys({
    enabled: current !== undefined && !choosing,
    onAccept: () => void queue.accept(),
    onFlag: () => void queue.flag(),
    onRelabel: openChooser,
    onNext: queue.next,
    onPrevious: queue.previous,
  });

  return (
    <section className="admin-section">
      <h1>Review</h1>
      <LabelIssueScanSection />

      <h2>Queue</h2>
      <ErrorDisplay error={queue.error} onRetry={queue.retry} title="The review queue could not be loaded." />
      <ErrorDisplay error={shapes.error} onRetry={shapes.reload} title="The shapes could not be loaded." />
      {queue.notice && (
        <p className="admin-notice" role="status">
          {queue.notice}
        </p>
      )}
      <ErrorDisplay error={queue.actionError} title="The review was not saved." />
      {!current && (queue.loading || queue.hasMore) && !queue.error && <p className="admin-muted">Loading…</p>}
      {queue.loaded && !current && !queue.loading && !queue.hasMore && <p>Nothing to review.</p>}

      {current && (
        <div className="review">
          <p className="review__position" aria-live="polite">
            {queue.position} of {queue.total.toLocaleString()}
          </p>
          <div className="review__body">
            <ReviewDrawing item={current} upcoming={queue.upcoming} />
            <div className="review__about">
              <p className="review__label">
                Labelled <strong>{current.shape.name}</strong>
                {current.flagged && <span className="admin-badge admin-badge--danger">Flagged</span>}
              </p>
              <ReviewReasons item={current} />
              <p>
                <Link to={`/admin/drawings/${encodeURIComponent(current.drawingId)}`}>Open the drawing's page</Link>
              </p>
            </div>
          </div>

          <div className="admin-toolbar review__actions" role="group" aria-label="Decision">
            <button type="button" className="button button--primary" aria-keyshortcuts="Y" disabled={busy} aria-busy={queue.busy === "accept"} onClick={() => void queue.accept()}>
              Accept (Y)
            </button>
            <button type="button" className="button button--danger" aria-keyshortcuts="F" disabled={busy} aria-busy={queue.busy === "flag"} onClick={() => void queue.flag()}>
              Flag (F)
            </button>
            <button ref={relabelButton} type="button" className="button" aria-keyshortcuts="R" aria-expanded={choosing} disabled={busy} onClick={openChooser}>
              Relabel (R)
            </button>
            <span className="review__move">
              <button type="button" className="button button--quiet" aria-keyshortcuts="K" disabled={!queue.canPrevious} onClick={queue.previous}>
                Previous (K)
              </button>
              <button type="button" className="button button--quiet" aria-keyshortcuts="J" disabled={!queue.canNext} onClick={queue.next}>
                Next (J)
              </button>
            </span>
          </div>
          {choosing && (
            <RelabelChooser
              key={current.drawingId}
              shapes={shapes.data ?? []}
              currentShape={current.shape.id}
              suggestedShape={current.reasons.labelIssue?.suggestedShape.id ?? current.reasons.modelShape}
              busy={busy}
              onConfirm={(shapeId) => void queue.relabel(shapeId)}
              onCancel={cancelChooser}
            />
          )}
        </div>
      )}
    </section>
  );
}
