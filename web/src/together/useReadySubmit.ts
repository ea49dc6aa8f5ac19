import { useCallback, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { isRoundOver, markReady, type RoomDrawing } from "../api/together";

export type ReadyState =
  | { status: "idle" }
  | { status: "sending"; round: number }
  /** This person pressed Submit; the drawing waits for the names in `waitingFor`. */
  | { status: "waiting"; round: number; waitingFor: string[] }
  /** This press was the last one: the server stored the drawing. */
  | { status: "stored"; round: number; drawing: RoomDrawing }
  | { status: "error"; round: number; error: ApiError };

export interface UseReadySubmitOptions {
  sessionId: string;
  roomId: string;
  /** The request; replaced in tests. */
  send?: typeof markReady;
}

export interface ReadySubmit {
  state: ReadyState;
  submit: (round: number) => Promise<void>;
  /** A new round began: nobody has pressed Submit in it yet. */
  reset: () => void;
}

/** Submit in a room: "I am done with this round's drawing". The drawing is stored when the
 * last person in the room presses it. */
export function useReadySubmit({ sessionId, roomId, send = markReady }: UseReadySubmitOptions): ReadySubmit {
  const [state, setState] = useState<ReadyState>({ status: "idle" });
  const sendRef = useRef(send);
  sendRef.current = send;
  // An answer for a round the room has left says nothing about the round it is on now.
  const currentRound = useRef<number | null>(null);

  const submit = useCallback(
    async (round: number) => {
      currentRound.current = round;
      setState({ status: "sending", round });
      try {
        const answer = await sendRef.current(sessionId, roomId, round);
        if (currentRound.current !== round) return;
        setState(
          answer.drawing
            ? { status: "stored", round, drawing: answer.drawing }
            : { status: "waiting", round, waitingFor: answer.waitingFor },
        );
      } catch (reason) {
        if (currentRound.current !== round) return;
        const error = toApiError(reason);
        // The round was stored without this press (everyone else was done): nothing is lost.
        setState(isRoundOver(error) ? { status: "idle" } : { status: "error", round, error });
      }
    },
    [sessionId, roomId],
  );

  const reset = useCallback(() => {
    currentRound.current = null;
    setState({ status: "idle" });
  }, []);

  return { state, submit, reset };
}
