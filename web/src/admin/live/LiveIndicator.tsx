import { useLiveStatus } from "./AdminEvents";
import type { LiveStatus } from "./eventConnection";

const TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

const TITLE: Record<LiveStatus, string> = {
  connecting: "Opening the live connection",
  live: "Pages update as things happen",
  reconnecting: "The live connection dropped; trying again",
  offline: "No live updates: reload a page to see changes",
};

/** A small dot and a word in the header: whether the pages update live. Named, so that it
 * is told apart from a page's own status messages. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={`live-indicator live-indicator--${status}`} role="status" aria-label="Live updates" title={TITLE[status]}>
      {TEXT[status]}
    </span>
  );
}
