import type { Participant } from "../api/together";
import { peopleHere } from "./presence";
import type { ConnectionStatus } from "./useRoomConnection";

export interface RoomStatusProps {
  people: readonly Participant[];
  /** This page's participant id, marked "(you)". */
  me: string;
  /** Participant ids that pressed Submit this round. */
  ready: readonly string[];
  connection: ConnectionStatus;
}

/** Who is in the room, each name in their ink, and whether this page is connected. */
export function RoomStatus({ people, me, ready, connection }: RoomStatusProps) {
  return (
    <section className="together__status" role="status" aria-label="Room status">
      <p className="together__count">
        {peopleHere(people.length)}
        {connection !== "connected" && <span className="together__connection"> · {connection === "connecting" ? "Connecting…" : "Reconnecting…"}</span>}
      </p>
      <ul className="together__people">
        {people.map((person) => (
          <li key={person.id} className="together__person">
            <span className="together__swatch" style={{ background: person.color }} aria-hidden="true" />
            {person.name}
            {person.id === me && " (you)"}
            {ready.includes(person.id) && <span className="together__ready"> · submitted</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
