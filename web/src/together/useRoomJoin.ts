import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { isConsentRequired } from "../api/consent";
import { joinRoom, type RoomJoined } from "../api/together";

export type JoinState =
  | { status: "waiting" }
  | { status: "joining" }
  | { status: "joined"; joined: RoomJoined }
  /** The session has not agreed to the terms: joining waits for the agreement. */
  | { status: "consent"; error: ApiError }
  | { status: "refused"; error: ApiError };

export interface UseRoomJoinOptions {
  sessionId: string;
  roomId: string;
  /** The terms are settled: joining may start by itself. */
  allowed: boolean;
  /** The request; replaced in tests. */
  join?: typeof joinRoom;
}

export interface RoomJoin {
  state: JoinState;
  joined: RoomJoined | null;
  /** Join (again): after a refusal, the agreement to the terms, or being sent away. */
  join: () => void;
  /** A fresh ticket for the same participant, leaving the page's state alone. */
  freshTicket: () => Promise<RoomJoined>;
}

/** Joining the room once the terms allow it: the ticket for its WebSocket, who this session
 * is in the room, and the round and prompt it is on. */
export function useRoomJoin({ sessionId, roomId, allowed, join: request = joinRoom }: UseRoomJoinOptions): RoomJoin {
  const [state, setState] = useState<JoinState>({ status: "waiting" });
  const controller = useRef<AbortController | null>(null);
  const requestRef = useRef(request);
  requestRef.current = request;

  const join = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setState({ status: "joining" });
    requestRef.current(sessionId, roomId, current.signal).then(
      (joined) => {
        if (!current.signal.aborted) setState({ status: "joined", joined });
      },
      (reason: unknown) => {
        if (current.signal.aborted) return;
        const error = toApiError(reason);
        setState(isConsentRequired(error) ? { status: "consent", error } : { status: "refused", error });
      },
    );
  }, [sessionId, roomId]);

  // Only the first join starts by itself: after a consent refusal it waits for the agreement,
  // so a refusal and a stale "allowed" cannot chase each other.
  const waiting = state.status === "waiting";
  useEffect(() => {
    if (allowed && waiting) join();
  }, [allowed, waiting, join]);
  useEffect(() => () => controller.current?.abort(), []);

  const freshTicket = useCallback(() => requestRef.current(sessionId, roomId), [sessionId, roomId]);
  return { state, joined: state.status === "joined" ? state.joined : null, join, freshTicket };
}
