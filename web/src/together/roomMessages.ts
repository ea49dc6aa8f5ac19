// What a person is told when the room will not have them, or sends them away: the server's
// refusals of a join and its WebSocket close codes, in plain words.
import type { ApiError } from "../api/client";

export const ROOM_CLOSED_IDLE = 4000;
export const TICKET_REFUSED = 4401;
export const FOREIGN_ORIGIN = 4403;
export const TOO_FAST = 4008;
export const MESSAGE_TOO_LARGE = 4009;
export const ROOM_FULL = 4010;
export const DRAWING_TOO_LARGE = 4011;
export const TOO_SLOW = 4012;

/** 4000–4999 are the server's deliberate closes: reconnecting the same way cannot help. */
export const isRoomClose = (code: number) => code >= 4000 && code < 5000;

const START_AGAIN = "You can start a new room from the game.";

export function closeMessage(code: number): string {
  switch (code) {
    case ROOM_CLOSED_IDLE:
      return `The room closed after a while with nobody drawing. ${START_AGAIN}`;
    case TICKET_REFUSED:
      return "The room no longer recognised this page. Join again to carry on.";
    case FOREIGN_ORIGIN:
      return "The room refused the connection: this page is not served from the room's own site.";
    case TOO_FAST:
      return "You were disconnected for sending too much too quickly. Join again to carry on.";
    case MESSAGE_TOO_LARGE:
      return "You were disconnected: one change to the drawing was too large to send. Join again to carry on.";
    case ROOM_FULL:
      return "The room is full, so you were disconnected. Join again when someone leaves.";
    case DRAWING_TOO_LARGE:
      return "The drawing has grown too large for the room: nothing more fits on it. Press Submit to save it as it is.";
    case TOO_SLOW:
      return "Your connection fell too far behind the room. Join again to catch up.";
    default:
      return `The room ended the connection (code ${code}). Join again to carry on.`;
  }
}

/** Joining again is worth offering: the room still exists and this page may be let in. */
export const canJoinAgain = (code: number) => code !== ROOM_CLOSED_IDLE && code !== FOREIGN_ORIGIN;

/** The line above the server's own message when a join is refused. */
export function joinRefusal(error: ApiError): string {
  switch (error.code) {
    case "ROOM_NOT_FOUND":
      return `There is no room at this link. Check the link with whoever sent it. ${START_AGAIN}`;
    case "ROOM_CLOSED":
      return `This room has closed. ${START_AGAIN}`;
    case "ROOM_FULL":
      return "This room is full. Try again when someone leaves.";
    default:
      return "You could not join the room.";
  }
}
