// Who is in the room, read from the awareness states every connected browser publishes as
// `{participant: {id, name, color}}`. One person with two tabs open is one participant.
import type { Participant } from "../api/together";

function participantOf(state: unknown): Participant | null {
  if (typeof state !== "object" || state === null) return null;
  const participant = (state as { participant?: unknown }).participant;
  if (typeof participant !== "object" || participant === null) return null;
  const { id, name, color } = participant as Record<string, unknown>;
  if (typeof id !== "string" || typeof name !== "string" || typeof color !== "string") return null;
  return { id, name, color };
}

/** The distinct participants among the awareness states, in name order ("Guest 2" before "Guest 10"). */
export function presentParticipants(states: ReadonlyMap<number, unknown>): Participant[] {
  const byId = new Map<string, Participant>();
  for (const state of states.values()) {
    const participant = participantOf(state);
    if (participant && !byId.has(participant.id)) byId.set(participant.id, participant);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

export const peopleHere = (count: number) => (count === 1 ? "1 person here" : `${count} people here`);

/** "Guest 2", "Guest 2 and Guest 3", "Guest 2, Guest 3 and Guest 4". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
