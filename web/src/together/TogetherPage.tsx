import { useEffect, useState } from "react";
import { isConsentRequired, requiredTermsVersion } from "../api/consent";
import { DrawingToolbar } from "../canvas/DrawingToolbar";
import { useDrawingShortcuts } from "../canvas/useDrawingShortcuts";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { article, inSentence, PromptHeading } from "../game/PromptHeading";
import { getSessionId } from "../game/session";
import { TermsPanel } from "../game/TermsPanel";
import { useConsent } from "../game/useConsent";
import { Link, matchParams, usePathname } from "../router/router";
import { InviteLink } from "./InviteLink";
import { listNames } from "./presence";
import { canJoinAgain, joinRefusal } from "./roomMessages";
import { RoomStatus } from "./RoomStatus";
import { SharedCanvas } from "./SharedCanvas";
import { undoLastStroke } from "./sharedDrawing";
import "./together.css";
import { useReadySubmit, type ReadyState } from "./useReadySubmit";
import { useRoomConnection } from "./useRoomConnection";
import { useRoomJoin } from "./useRoomJoin";
import { useRoundFeedback, type RoundSaved } from "./useRoundFeedback";
import { useRoomState, useStrokeCounts } from "./useSharedDrawing";

export const ROOM_ROUTE = "/together/:roomId";

function savedLine({ prompt, qualityScore }: RoundSaved): string {
  const score = qualityScore !== null ? ` It scored ${Math.round(qualityScore * 100)}%.` : "";
  const next = prompt ? ` Next: draw ${article(prompt.name)} ${inSentence(prompt.name)}.` : "";
  return `Saved!${score}${next}`;
}

function submitLine(state: ReadyState, waitingFor: readonly string[]): string {
  if (state.status === "sending") return "Sending…";
  if (state.status === "stored") return "Saved! The next round is starting…";
  if (waitingFor.length > 0) return `Waiting for ${listNames(waitingFor)}…`;
  return "Everyone has pressed Submit: saving the drawing…";
}

/** A room where several people draw one drawing: the same prompt for all, everyone's strokes
 * as they are drawn, each in their own ink. The drawing is stored when everyone in the room
 * has pressed Submit; then the room moves on to a new prompt. The terms come first, as in the
 * game: joining waits for the agreement. */
export default function TogetherPage() {
  const pathname = usePathname();
  const roomId = matchParams(ROOM_ROUTE, pathname)?.roomId ?? "";
  const [sessionId] = useState(getSessionId);
  const ready = useReadySubmit({ sessionId, roomId });
  const readyRefusal = ready.state.status === "error" && isConsentRequired(ready.state.error) ? ready.state : null;

  const consent = useConsent({
    sessionId,
    onAgreed: () => {
      if (room.state.status === "consent") room.join();
      if (readyRefusal) void ready.submit(readyRefusal.round);
    },
  });
  const showTerms = consent.needed && !consent.checking;
  const room = useRoomJoin({ sessionId, roomId, allowed: !consent.checking && !consent.needed });
  const connection = useRoomConnection({ roomId, joined: room.joined, freshTicket: room.freshTicket });
  const { doc, ended } = connection;
  const me = room.joined?.participant ?? null;
  const roomState = useRoomState(doc);
  const counts = useStrokeCounts(doc, me?.id ?? null);
  const feedback = useRoundFeedback({ room: roomState, joinedRound: room.joined?.round ?? null, me, people: connection.people, ready });

  // A join or a Submit refused for want of consent: the terms are shown again.
  const consentRefusal = room.state.status === "consent" ? room.state.error : (readyRefusal?.error ?? null);
  const { askAgain } = consent;
  useEffect(() => {
    if (consentRefusal) askAgain(requiredTermsVersion(consentRefusal));
  }, [consentRefusal, askAgain]);

  const canDraw = doc !== null && !ended && !showTerms;
  const sending = ready.state.status === "sending";
  const canSubmit = canDraw && feedback.round !== null && counts.total > 0 && !feedback.pressed;
  const submit = () => {
    if (!canSubmit || feedback.round === null) return;
    feedback.dismissSaved();
    void ready.submit(feedback.round);
  };
  const undo = () => {
    if (canDraw && me) undoLastStroke(doc, me.id);
  };
  useDrawingShortcuts({ onSubmit: submit, onUndo: undo, enabled: canDraw });

  const prompt = roomState.prompt ?? room.joined?.prompt ?? null;
  const joinFailure = room.state.status === "refused" ? room.state.error : null;
  return (
    <main className="page together">
      <header className="together__header">
        {room.joined ? <PromptHeading shape={prompt} loading={false} /> : <h1 className="prompt">Drawing together</h1>}
      </header>
      {showTerms && (
        <TermsPanel
          terms={consent.terms}
          loading={consent.loading}
          agreeing={consent.agreeing}
          failure={consent.failure}
          onAgree={() => void consent.agree()}
          onReload={consent.reload}
          notices={[consent.notice].filter(Boolean)}
          takeFocus={consentRefusal !== null}
        />
      )}
      {room.state.status === "joining" && <p className="game__status">Joining the room…</p>}
      <ErrorDisplay error={joinFailure} onRetry={room.join} title={joinFailure ? joinRefusal(joinFailure) : undefined} />
      {room.joined && doc && me && (
        <>
          <RoomStatus people={connection.people} me={me.id} ready={roomState.ready} connection={connection.status} />
          <SharedCanvas doc={doc} participant={me} disabled={!canDraw} placeholder="Draw here, together" />
          <DrawingToolbar onUndo={undo} canEdit={canDraw && counts.mine > 0}>
            <button
              type="button"
              className="button button--primary"
              onClick={submit}
              disabled={!canSubmit}
              aria-busy={sending}
              aria-keyshortcuts="Enter"
            >
              Submit
            </button>
          </DrawingToolbar>
          <p className="hint together__rule">The drawing is saved when everyone in the room has pressed Submit.</p>
          {feedback.pressed && (
            <p className="game__status" role="status" aria-label="Submit status">
              {submitLine(ready.state, feedback.waitingFor)}
            </p>
          )}
          {feedback.saved && (
            <p className="game__status together__saved" role="status" aria-label="Drawing saved">
              {savedLine(feedback.saved)}
            </p>
          )}
          {ready.state.status === "error" && !readyRefusal && (
            <ErrorDisplay error={ready.state.error} onRetry={submit} title="The drawing was not saved." />
          )}
          {ended && (
            <div className="error-display together__ended" role="alert">
              <div className="error-display__body">
                <p className="error-display__title">You have left the room.</p>
                <p className="error-display__message">{ended.message}</p>
              </div>
              {(ended.code === null || canJoinAgain(ended.code)) && (
                <button type="button" className="button" onClick={room.join}>
                  Join again
                </button>
              )}
            </div>
          )}
          <InviteLink path={`/together/${encodeURIComponent(roomId)}`} limit={room.joined.limit} />
        </>
      )}
      <footer className="page__footer">
        <p className="hint">Enter submits · Ctrl/⌘+Z undoes your last stroke</p>
        <nav aria-label="Other pages">
          <Link to="/">Back to the drawing game</Link>
        </nav>
      </footer>
    </main>
  );
}
