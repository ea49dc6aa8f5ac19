import { useEffect, useRef, useState } from "react";
import type { Participant, RoomPrompt } from "../api/together";
import type { RoomState } from "./sharedDrawing";
import type { ReadySubmit } from "./useReadySubmit";

export interface RoundSaved {
  /** The next round's prompt. */
  prompt: RoomPrompt | null;
  qualityScore: number | null;
}

export interface RoundFeedback {
  /** The round this page knows the room is on; null before the join. */
  round: number | null;
  /** This person pressed Submit in the current round. */
  pressed: boolean;
  /** Who the drawing still waits for, once this person pressed Submit. */
  waitingFor: string[];
  /** The last round was stored while this page watched; cleared by the next Submit. */
  saved: RoundSaved | null;
  dismissSaved: () => void;
}

export interface UseRoundFeedbackOptions {
  room: RoomState;
  /** The round the join answered, until the document says otherwise. */
  joinedRound: number | null;
  me: Participant | null;
  people: readonly Participant[];
  ready: ReadySubmit;
}

/**
 * Where this person stands in the room's round. The server clears the strokes and moves the
 * round on once the drawing is stored, so a round that grows means "saved": the Submit
 * pressed in the old round no longer counts. Who is still awaited is read from the document's
 * `ready` ids once it lists this person (it follows people who come and go), and from Submit's
 * answer until then.
 */
export function useRoundFeedback({ room, joinedRound, me, people, ready }: UseRoundFeedbackOptions): RoundFeedback {
  const [saved, setSaved] = useState<RoundSaved | null>(null);
  const seenRound = useRef<number | null>(null);
  const { reset } = ready;

  useEffect(() => {
    if (room.round === null) return;
    const previous = seenRound.current;
    seenRound.current = room.round;
    if (previous === null || room.round <= previous) return;
    setSaved({ prompt: room.prompt, qualityScore: room.saved?.qualityScore ?? null });
    reset();
  }, [room, reset]);

  const round = room.round ?? joinedRound;
  const { state } = ready;
  const pressed = state.status !== "idle" && state.status !== "error" && state.round === round;
  let waitingFor: string[] = [];
  if (pressed && state.status === "waiting") {
    waitingFor =
      me && room.ready.includes(me.id)
        ? people.filter((person) => !room.ready.includes(person.id)).map((person) => person.name)
        : state.waitingFor;
  }
  return { round, pressed, waitingFor, saved, dismissSaved: () => setSaved(null) };
}
