import { useEffect, useRef, useState } from "react";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { toApiError } from "../api/client";
import { roomSocketBase, type Participant, type RoomJoined } from "../api/together";
import { presentParticipants } from "./presence";
import { closeMessage, isRoomClose, joinRefusal, TICKET_REFUSED } from "./roomMessages";

export type ConnectionStatus = "connecting" | "connected" | "disconnected";

export interface RoomEnded {
  /** The WebSocket close code; null when a join made to carry on was refused. */
  code: number | null;
  message: string;
}

export interface RoomConnection {
  /** The shared drawing; null until joined. */
  doc: Y.Doc | null;
  status: ConnectionStatus;
  /** The whole drawing has arrived from the room at least once on this connection. */
  synced: boolean;
  /** Everyone connected, this page included. */
  people: Participant[];
  /** The room sent this page away; it does not reconnect by itself. */
  ended: RoomEnded | null;
}

export interface UseRoomConnectionOptions {
  roomId: string;
  /** The join this connection uses; a new one (after "Join again") makes a new connection. */
  joined: RoomJoined | null;
  /** A fresh ticket, when the room refused the one it had (close 4401). */
  freshTicket: () => Promise<RoomJoined>;
}

/**
 * The room's shared document over y-websocket, with this page's presence published in it.
 * The provider reconnects by itself after a network failure; a close the server meant
 * (4000–4999) stops it for good and says why, except a refused ticket, which is renewed once
 * per connection that synced.
 */
export function useRoomConnection({ roomId, joined, freshTicket }: UseRoomConnectionOptions): RoomConnection {
  // The document with the join it was made for: a new join must not show the old, destroyed one.
  const [made, setMade] = useState<{ joined: RoomJoined; doc: Y.Doc } | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [synced, setSynced] = useState(false);
  const [people, setPeople] = useState<Participant[]>([]);
  const [ended, setEnded] = useState<RoomEnded | null>(null);
  const freshTicketRef = useRef(freshTicket);
  freshTicketRef.current = freshTicket;

  useEffect(() => {
    if (!joined) return;
    const shared = new Y.Doc();
    const provider = new WebsocketProvider(roomSocketBase(), roomId, shared, {
      params: { ticket: joined.ticket },
      // Every change goes through the server, which checks it; tabs do not sync behind its back.
      disableBc: true,
      shouldReconnect: (event) => !isRoomClose(event.code),
    });
    const { awareness } = provider;
    let disposed = false;
    let ticketRenewed = false;

    const onStatus = ({ status: next }: { status: ConnectionStatus }) => setStatus(next);
    const onSync = (state: boolean) => {
      setSynced(state);
      if (state) ticketRenewed = false;
    };
    const onPresence = () => setPeople(presentParticipants(awareness.getStates()));
    const onClosed = ({ code }: { code: number }) => {
      if (code === TICKET_REFUSED && !ticketRenewed) {
        ticketRenewed = true;
        freshTicketRef.current().then(
          (fresh) => {
            if (disposed) return;
            provider.params = { ticket: fresh.ticket };
            provider.connect();
          },
          (reason: unknown) => {
            if (!disposed) setEnded({ code: null, message: joinRefusal(toApiError(reason)) });
          },
        );
        return;
      }
      provider.disconnect();
      setEnded({ code, message: closeMessage(code) });
    };

    provider.on("status", onStatus);
    provider.on("sync", onSync);
    provider.on("closed", onClosed);
    awareness.on("change", onPresence);
    awareness.setLocalStateField("participant", joined.participant);
    setMade({ joined, doc: shared });
    setStatus(provider.wsconnected ? "connected" : "connecting");
    setSynced(false);
    setEnded(null);
    onPresence();

    return () => {
      disposed = true;
      provider.off("status", onStatus);
      provider.off("sync", onSync);
      provider.off("closed", onClosed);
      awareness.off("change", onPresence);
      // Disconnecting tells the others this page left; destroying the doc stops its awareness.
      provider.destroy();
      shared.destroy();
    };
  }, [roomId, joined]);

  const doc = joined && made?.joined === joined ? made.doc : null;
  return { doc, status, synced, people, ended };
}
