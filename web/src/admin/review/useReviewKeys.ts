import { useEffect, useRef } from "react";

export interface ReviewKeys {
  /** Y */
  onAccept: () => void;
  /** F */
  onFlag: () => void;
  /** R */
  onRelabel: () => void;
  /** J */
  onNext: () => void;
  /** K */
  onPrevious: () => void;
  enabled?: boolean;
}

const HANDLERS: Record<string, keyof Omit<ReviewKeys, "enabled">> = {
  y: "onAccept",
  f: "onFlag",
  r: "onRelabel",
  j: "onNext",
  k: "onPrevious",
};
const DECISIONS = new Set(["y", "f", "r"]);

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The review page's single-key shortcuts, listened for on the window; never while typing or
 * with Ctrl, Cmd or Alt held (those belong to the browser). */
export function useReviewKeys(keys: ReviewKeys): void {
  const latest = useRef(keys);
  latest.current = keys;
  const enabled = keys.enabled ?? true;

  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isEditable(event.target)) return;
      const key = event.key.toLowerCase();
      const handler = HANDLERS[key];
      if (!handler) return;
      event.preventDefault();
      // Holding J or K walks the queue; holding Y must not decide drawing after drawing.
      if (event.repeat && DECISIONS.has(key)) return;
      latest.current[handler]();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [enabled]);
}
