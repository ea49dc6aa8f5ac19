// A stand-in for y-websocket's WebsocketProvider in the Vitest tests (`vi.mock("y-websocket")`):
// no socket; the test plays the room, sending what the server would.
import type * as Y from "yjs";

type Listener = (...args: never[]) => void;

class Listeners {
  private readonly byName = new Map<string, Set<Listener>>();

  on(name: string, listener: Listener): void {
    if (!this.byName.has(name)) this.byName.set(name, new Set());
    this.byName.get(name)!.add(listener);
  }

  off(name: string, listener: Listener): void {
    this.byName.get(name)?.delete(listener);
  }

  emit(name: string, args: unknown[]): void {
    for (const listener of [...(this.byName.get(name) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
}

export class FakeAwareness {
  readonly states = new Map<number, Record<string, unknown>>();
  private readonly listeners = new Listeners();

  constructor(private readonly doc: Y.Doc) {}

  getStates(): Map<number, Record<string, unknown>> {
    return this.states;
  }

  getLocalState(): Record<string, unknown> | null {
    return this.states.get(this.doc.clientID) ?? null;
  }

  setLocalStateField(field: string, value: unknown): void {
    this.states.set(this.doc.clientID, { ...this.getLocalState(), [field]: value });
    this.listeners.emit("change", [{}, "local"]);
  }

  /** Another browser's state arrives, or leaves (null). */
  setRemote(clientId: number, state: Record<string, unknown> | null): void {
    if (state === null) this.states.delete(clientId);
    else this.states.set(clientId, state);
    this.listeners.emit("change", [{}, "remote"]);
  }

  on(name: string, listener: Listener): void {
    this.listeners.on(name, listener);
  }

  off(name: string, listener: Listener): void {
    this.listeners.off(name, listener);
  }
}

interface ProviderOptions {
  params?: Record<string, string>;
  disableBc?: boolean;
  shouldReconnect?: (event: CloseEvent, provider: unknown) => boolean;
}

export class FakeProvider {
  static instances: FakeProvider[] = [];
  readonly awareness: FakeAwareness;
  params: Record<string, string>;
  shouldConnect = true;
  wsconnected = false;
  connects = 0;
  destroyed = false;
  private readonly listeners = new Listeners();

  constructor(
    readonly serverUrl: string,
    readonly roomname: string,
    readonly doc: Y.Doc,
    readonly options: ProviderOptions = {},
  ) {
    this.params = options.params ?? {};
    this.awareness = new FakeAwareness(doc);
    FakeProvider.instances.push(this);
  }

  static latest(): FakeProvider {
    const provider = FakeProvider.instances[FakeProvider.instances.length - 1];
    if (!provider) throw new Error("no WebsocketProvider was made");
    return provider;
  }

  on(name: string, listener: Listener): void {
    this.listeners.on(name, listener);
  }

  off(name: string, listener: Listener): void {
    this.listeners.off(name, listener);
  }

  connect(): void {
    this.shouldConnect = true;
    this.connects += 1;
  }

  disconnect(): void {
    this.shouldConnect = false;
  }

  destroy(): void {
    this.destroyed = true;
    this.disconnect();
  }

  /** The socket opened and the room's document arrived. */
  open(): void {
    this.wsconnected = true;
    this.listeners.emit("status", [{ status: "connected" }]);
    this.listeners.emit("sync", [true]);
  }

  /** The server closed the socket with `code`, as y-websocket reports it. */
  closeWith(code: number): void {
    this.wsconnected = false;
    this.listeners.emit("status", [{ status: "disconnected" }]);
    const event = { code, reason: "" } as CloseEvent;
    if (this.options.shouldReconnect?.(event, this) ?? true) return;
    this.shouldConnect = false;
    this.listeners.emit("closed", [{ code, reason: "" }, this]);
  }
}

export const yWebsocketModule = { WebsocketProvider: FakeProvider };
