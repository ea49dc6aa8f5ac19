// Drawing together: rooms where several people draw one drawing. The HTTP side creates a
// room, hands out a ticket for its WebSocket (the shared Yjs document), and records who has
// pressed Submit; the drawing is stored once everyone in the room has.
import { apiRequest, type ApiError } from "./client";

export interface RoomCreated {
  roomId: string;
  /** The room's page, e.g. "/together/k3j9". */
  path: string;
}

export interface Participant {
  /** Stable for a session within a room, e.g. "p1". */
  id: string;
  /** "Guest 1". */
  name: string;
  /** The ink colour, "#rrggbb". */
  color: string;
}

export interface RoomPrompt {
  id: string;
  name: string;
}

export interface RoomJoined {
  /** Opaque; the WebSocket's `ticket` query parameter. */
  ticket: string;
  participant: Participant;
  /** How many people the room holds. */
  limit: number;
  round: number;
  prompt: RoomPrompt;
}

export interface RoomDrawing {
  id: string;
  qualityScore: number;
  contributors: number;
}

export interface ReadyAnswer {
  round: number;
  /** Names of those who have pressed Submit this round. */
  ready: string[];
  /** Names of those who have not, yet. */
  waitingFor: string[];
  /** The stored drawing, once the last person pressed Submit; null until then. */
  drawing: RoomDrawing | null;
}

const sessionHeader = (sessionId: string) => ({ "X-Session-Id": sessionId });
const roomPath = (roomId: string) => `/api/together/${encodeURIComponent(roomId)}`;

export function createRoom(sessionId: string): Promise<RoomCreated> {
  return apiRequest<RoomCreated>("/api/together", { method: "POST", headers: sessionHeader(sessionId) });
}

export function joinRoom(sessionId: string, roomId: string, signal?: AbortSignal): Promise<RoomJoined> {
  return apiRequest<RoomJoined>(`${roomPath(roomId)}/join`, { method: "POST", headers: sessionHeader(sessionId), signal });
}

export function markReady(sessionId: string, roomId: string, round: number): Promise<ReadyAnswer> {
  return apiRequest<ReadyAnswer>(`${roomPath(roomId)}/ready`, {
    method: "POST",
    body: { round },
    headers: sessionHeader(sessionId),
  });
}

/** The room's WebSocket base; y-websocket appends `/<roomId>?ticket=…`. */
export function roomSocketBase(location: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/together`;
}

/** Submit when the round was already stored: the room has moved on without this press. */
export function isRoundOver(error: ApiError): boolean {
  return error.status === 409 && error.code === "ROUND_OVER";
}
