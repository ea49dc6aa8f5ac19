// The one live connection of the admin app, without React: it opens the socket, hands each
// event on, remembers the last event id and reconnects after it with a growing delay.
import {
  CLOSE_FORBIDDEN_ORIGIN,
  CLOSE_UNAUTHORIZED,
  eventsUrl,
  parseAdminEvent,
  type AdminEvent,
} from "../../api/events";

/** `connecting` until the server's first message, `live` from then on, `reconnecting` while
 * a dropped socket waits for its next try, `offline` when none will be made (or none is). */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

/** What the connection needs of a WebSocket, so tests can hand in a fake one. */
export interface EventSocket {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => EventSocket;

export const browserSocket: SocketFactory = (url) => new WebSocket(url);

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 10_000;

export interface EventConnectionOptions {
  connect?: SocketFactory;
  url?: (since: string | null) => string;
  /** Every event; a reconnection the server could not resume is passed on as a `resync`
   * (the first connection needs none: the pages fetch as they open). */
  onEvent: (event: AdminEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** The server closed with 4401: the session is over; no further try is made. */
  onSessionEnded: () => void;
  /** Sockets keep closing before the server's first message (a handshake refused on the
   * way reads as 1006 in a browser): worth asking once whether the session ended. */
  onRefused?: () => void;
}

export class EventConnection {
  private socket: EventSocket | null = null;
  private lastId: string | null = null;
  private retryMs = FIRST_RETRY_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private greetedBefore = false;
  private stopped = false;
  private readonly options: EventConnectionOptions;

  constructor(options: EventConnectionOptions) {
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    this.options.onStatus("connecting");
    this.open();
  }

  /** Closes the socket and gives up trying (log-out, unmount). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = socket.onopen = null;
      socket.close(1000, "done");
    }
  }

  private open(): void {
    const { connect = browserSocket, url = eventsUrl } = this.options;
    let socket: EventSocket;
    try {
      socket = connect(url(this.lastId));
    } catch {
      this.retry(false);
      return;
    }
    this.socket = socket;
    let greeted = false;
    socket.onmessage = (message) => {
      const event = parseAdminEvent(message.data);
      if (!event || this.socket !== socket) return;
      if (event.id !== null) this.lastId = event.id;
      // The server's first word (a hello, or a resync when `since` is too old) says the
      // socket was let in.
      const first = !greeted;
      if (first) {
        greeted = true;
        this.failures = 0;
        this.retryMs = FIRST_RETRY_MS;
        this.options.onStatus("live");
      }
      this.options.onEvent(event);
      if (first) {
        // Back, but what happened meanwhile does not follow: as good as a resync.
        if (event.type === "hello" && !event.data.resumed && this.greetedBefore) {
          this.options.onEvent({ id: null, type: "resync", at: event.at, data: {} });
        }
        this.greetedBefore = true;
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (event.code === CLOSE_UNAUTHORIZED) {
        this.options.onStatus("offline");
        this.options.onSessionEnded();
      } else if (event.code === CLOSE_FORBIDDEN_ORIGIN) {
        this.options.onStatus("offline");
      } else {
        this.retry(greeted);
      }
    };
  }

  private retry(greeted: boolean): void {
    if (!greeted && ++this.failures === 2) this.options.onRefused?.(); // once a run of failures
    this.options.onStatus("reconnecting");
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.timer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }
}
