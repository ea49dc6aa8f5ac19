// A WebSocket stand-in for the tests: each socket the app opens is recorded with its URL,
// and the test plays the server (`open`, `send`, `close`).
import type { AdminEvent } from "../../api/events";
import type { EventSocket, SocketFactory } from "./eventConnection";

export class FakeSocket implements EventSocket {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  closedByClient: number | null = null;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  get since(): string | null {
    return new URL(this.url).searchParams.get("since");
  }

  /** The server's hello, and whether it resumed after `since`. */
  open(resumed = false, id: string | null = null): void {
    this.onopen?.(new Event("open"));
    this.send({ id, type: "hello", at: "2027-03-01T00:00:00Z", data: { resumed } });
  }

  send(event: AdminEvent): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(event) }));
  }

  /** The app closes the socket. */
  close(code = 1000): void {
    this.closedByClient = code;
  }

  /** The server (or the network) closes the socket. */
  drop(code = 1006, reason = ""): void {
    this.onclose?.(new CloseEvent("close", { code, reason }));
  }
}

/** A factory to hand the app, and the sockets it made, newest last. */
export function fakeSockets() {
  const sockets: FakeSocket[] = [];
  const connect: SocketFactory = (url) => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  };
  return { sockets, connect, latest: () => sockets[sockets.length - 1] };
}
