// One live socket for the whole admin app, opened by the provider (mounted while signed in)
// and shared by the pages: `useAdminEvents(handler)` to hear events, `useLiveStatus()` to
// know whether they arrive. Without a provider nothing is live and the pages poll.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { AdminEvent } from "../../api/events";
import { EventConnection, type LiveStatus, type SocketFactory } from "./eventConnection";

type Handler = (event: AdminEvent) => void;

interface LiveEvents {
  status: LiveStatus;
  subscribe: (handler: Handler) => () => void;
}

const OFFLINE: LiveEvents = { status: "offline", subscribe: () => () => undefined };
const LiveContext = createContext<LiveEvents>(OFFLINE);

export interface AdminEventsProviderProps {
  children: ReactNode;
  /** The server said the session ended (4401): handle it as any 401. */
  onSessionEnded: () => void;
  /** Sockets keep failing before they are greeted: worth asking whether the session ended. */
  onRefused?: () => void;
  /** Makes the socket; tests hand in a fake. */
  connect?: SocketFactory;
}

export function AdminEventsProvider({ children, onSessionEnded, onRefused, connect }: AdminEventsProviderProps) {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const handlers = useRef(new Set<Handler>());
  const callbacks = useRef({ onSessionEnded, onRefused });
  useEffect(() => {
    callbacks.current = { onSessionEnded, onRefused };
  });

  useEffect(() => {
    const connection = new EventConnection({
      connect,
      onStatus: setStatus,
      onEvent: (event) => handlers.current.forEach((handler) => handler(event)),
      onSessionEnded: () => callbacks.current.onSessionEnded(),
      onRefused: () => callbacks.current.onRefused?.(),
    });
    connection.start();
    return () => connection.stop();
  }, [connect]);

  const subscribe = useCallback((handler: Handler) => {
    handlers.current.add(handler);
    return () => void handlers.current.delete(handler);
  }, []);
  const value = useMemo<LiveEvents>(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/** Calls the latest `handler` with every event while mounted. */
export function useAdminEvents(handler: Handler): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
