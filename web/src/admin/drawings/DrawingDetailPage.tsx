import { useMemo, useState, type ReactNode } from "react";
import { FactList } from "../FactList";
import type { DrawingDetail, LabelChange, VoteCounts } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { Link } from "../../router/router";
import { formatWholePercent } from "../charts/scale";
import { DrawingReplay } from "./DrawingReplay";
import { authorColors, DrawnTogether } from "./DrawnTogether";
import { lastListPath } from "./listSearch";
import { useDrawingDetail } from "./useDrawingDetail";
import { DEFAULT_FLAG_REASON } from "./useDrawingList";

/** "2 yes · 1 no · 1 not sure", or that nobody has answered yet. */
export function voteSummary(votes: VoteCounts | undefined): string {
  if (!votes || votes.yes + votes.no + votes.unsure === 0) return "No votes yet";
  return `${votes.yes} yes · ${votes.no} no · ${votes.unsure} not sure`;
}

/** "72%", or that too few players have answered for the crowd to have a view. */
export function consensusSummary(consensus: number | null | undefined): string {
  return consensus === null || consensus === undefined ? "Not enough votes" : formatWholePercent(consensus);
}

/** "40%", or that nothing is known of the author yet. */
export function trustSummary(trust: number | null | undefined): string {
  return trust === null || trust === undefined ? "Not known yet" : formatWholePercent(trust);
}

/** "was circle → star", one line per change, oldest first. */
export function labelHistoryLines(history: LabelChange[] | undefined): string[] {
  return (history ?? []).map((change) => `was ${change.fromShape} → ${change.toShape}`);
}

function LabelHistory({ history }: { history: LabelChange[] }) {
  const lines = labelHistoryLines(history);
  return (
    <ul className="admin-history">
      {history.map((change, i) => (
        <li key={`${change.changedAt}:${i}`} title={`${new Date(change.changedAt).toLocaleString()}${change.changedBy ? ` by ${change.changedBy}` : ""}`}>
          {lines[i]}
        </li>
      ))}
    </ul>
  );
}

export function DrawingDetailPage({ id }: { id: string }) {
  const detail = useDrawingDetail(id);
  const { drawing } = detail;
  const [reason, setReason] = useState(DEFAULT_FLAG_REASON);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  // Stable across flag and unflag (they keep these fields), so a replay is not restarted.
  const strokeColors = useMemo(
    () => authorColors(drawing?.contributors, drawing?.strokeAuthors),
    [drawing?.contributors, drawing?.strokeAuthors],
  );
  // Back to the list as it was left: its filters, sort and page.
  const back = (
    <p>
      <Link to={lastListPath()}>← All drawings</Link>
    </p>
  );

  if (detail.deleted) {
    return (
      <section className="admin-section">
        {back}
        <p role="status">The drawing was deleted.</p>
      </section>
    );
  }
  if (!drawing) {
    return (
      <section className="admin-section">
        {back}
        <ErrorDisplay error={detail.error} onRetry={detail.reload} title="The drawing could not be loaded." />
        {!detail.error && <p className="admin-muted">Loading…</p>}
      </section>
    );
  }

  const doubts: [string, ReactNode][] = [
    ["Crowd consensus", consensusSummary(drawing.consensus)],
    ["Author trust", trustSummary(drawing.authorTrust)],
  ];
  if (drawing.labelHistory?.length) doubts.push(["Label history", <LabelHistory history={drawing.labelHistory} />]);
  if (drawing.reviewedAt) doubts.push(["Reviewed", new Date(drawing.reviewedAt).toLocaleString()]);
  const facts: [string, ReactNode][] = [
    ["Shape", drawing.shape.name],
    ["Quality", drawing.qualityScore.toFixed(3)],
    ["Model agreement", modelVerdict(drawing)],
    ["Players' votes", voteSummary(drawing.votes)],
    ...doubts,
    ["Device", drawing.device],
    ["Source", drawing.source],
    ["Strokes / points", `${drawing.strokeCount} / ${drawing.pointCount}`],
    ["Duration", `${(drawing.durationMs / 1000).toFixed(2)} s`],
    ["Canvas", `${drawing.canvas.width} × ${drawing.canvas.height}`],
    ["Created", new Date(drawing.createdAt).toLocaleString()],
    ["Session", drawing.sessionId ?? "—"],
    ["Flag", drawing.flagged ? `Flagged: ${drawing.flagReason ?? ""}` : "Not flagged"],
  ];
  const busy = detail.busy !== null;

  return (
    <section className="admin-section">
      {back}
      <h1>
        {drawing.shape.name} <span className="admin-muted admin-id">{drawing.id}</span>
      </h1>
      <div className="drawing-detail">
        {drawing.strokeData ? (
          <DrawingReplay
            strokeData={drawing.strokeData}
            strokeColors={strokeColors}
            label={`Replay of the ${drawing.shape.name} drawing`}
          />
        ) : (
          <p className="admin-muted">The strokes of this drawing are missing.</p>
        )}
        <div>
          <FactList facts={facts} />
          <div className="admin-toolbar">
            {drawing.flagged ? (
              <button type="button" className="button" disabled={busy} onClick={() => void detail.unflag()}>
                Unflag
              </button>
            ) : (
              <>
                <label className="admin-field admin-field--inline">
                  <span>Reason</span>
                  <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
                </label>
                <button
                  type="button"
                  className="button"
                  disabled={busy || reason.trim() === ""}
                  onClick={() => void detail.flag(reason.trim())}
                >
                  Flag
                </button>
              </>
            )}
            {confirmingDelete ? (
              <span className="admin-confirm" role="group" aria-label="Confirm deletion">
                <span>Delete for good?</span>
                <button type="button" className="button button--danger" disabled={busy} onClick={() => void detail.remove()}>
                  Yes, delete
                </button>
                <button type="button" className="button button--quiet" onClick={() => setConfirmingDelete(false)}>
                  No, keep it
                </button>
              </span>
            ) : (
              <button type="button" className="button button--danger" disabled={busy} onClick={() => setConfirmingDelete(true)}>
                Delete
              </button>
            )}
          </div>
          <ErrorDisplay error={detail.actionError} title="That did not work." />
        </div>
      </div>
      {drawing.contributors?.length ? <DrawnTogether contributors={drawing.contributors} /> : null}
    </section>
  );
}

/** "0.012 (model v3 saw a circle)", or why there is no agreement. */
export function modelVerdict(drawing: DrawingDetail): string {
  if (drawing.modelVersion === null || drawing.modelVersion === undefined) return "No model judged it";
  const agreement = drawing.modelAgreement === null || drawing.modelAgreement === undefined
    ? "shape unknown to the model"
    : drawing.modelAgreement.toFixed(3);
  return `${agreement} (model v${drawing.modelVersion} saw ${drawing.modelShape ?? "—"})`;
}
