import { useEffect, useState } from "react";
import * as Y from "yjs";
import { readRoom, roomOf, strokesOf, type RoomState } from "./sharedDrawing";

const EMPTY_ROOM: RoomState = { round: null, prompt: null, ready: [], saved: null };

/** The server's part of the document (round, prompt, who is ready), kept current. */
export function useRoomState(doc: Y.Doc | null): RoomState {
  const [room, setRoom] = useState<RoomState>(EMPTY_ROOM);
  useEffect(() => {
    if (!doc) {
      setRoom(EMPTY_ROOM);
      return;
    }
    const map = roomOf(doc);
    const update = () => setRoom(readRoom(doc));
    update();
    map.observeDeep(update);
    return () => map.unobserveDeep(update);
  }, [doc]);
  return room;
}

export interface StrokeCounts {
  /** Everyone's strokes: Submit has something to save. */
  total: number;
  /** This person's: Undo has something to remove. */
  mine: number;
}

const sameCounts = (a: StrokeCounts, b: StrokeCounts) => a.total === b.total && a.mine === b.mine;

/** How many strokes there are, and how many are `author`'s. Points streaming into a stroke
 * change neither count, so the page does not re-render while anyone draws. */
export function useStrokeCounts(doc: Y.Doc | null, author: string | null): StrokeCounts {
  const [counts, setCounts] = useState<StrokeCounts>({ total: 0, mine: 0 });
  useEffect(() => {
    if (!doc) {
      setCounts({ total: 0, mine: 0 });
      return;
    }
    const strokes = strokesOf(doc);
    const update = () => {
      const entries = strokes.toArray();
      const next = { total: entries.length, mine: entries.filter((entry) => entry instanceof Y.Map && entry.get("author") === author).length };
      setCounts((previous) => (sameCounts(previous, next) ? previous : next));
    };
    update();
    // Only the array itself: a stroke added or removed, not its points.
    strokes.observe(update);
    return () => strokes.unobserve(update);
  }, [doc, author]);
  return counts;
}
