import { useEffect, useRef } from "react";

export interface DrawingShortcuts {
  /** Enter. */
  onSubmit?: () => void;
  /** Ctrl+Z or Cmd+Z. */
  onUndo?: () => void;
  /** Escape. */
  onClear?: () => void;
  enabled?: boolean;
}

/** Marks a drawing's controls (Undo, Clear, Submit…): Enter on any of them submits. A clicked
 * button keeps the focus, and the browser would otherwise answer the next Enter by pressing
 * it again — Undo after Undo, wiping the drawing. Space still presses the focused control. */
export const DRAWING_CONTROLS = "[data-drawing-controls]";

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Keyboard shortcuts for a drawing page, listened for on the window. */
export function useDrawingShortcuts(shortcuts: DrawingShortcuts): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  const enabled = shortcuts.enabled ?? true;

  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isEditable(event.target)) return;
      const { onSubmit, onUndo, onClear } = latest.current;
      if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
        // Other buttons and links (Retry, a page link) answer Enter with their own click.
        const control = event.target instanceof Element ? event.target.closest("button, a") : null;
        if (control && !control.closest(DRAWING_CONTROLS)) return;
        if (!onSubmit) return;
        event.preventDefault();
        onSubmit();
      } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
        if (!onUndo) return;
        event.preventDefault();
        onUndo();
      } else if (event.key === "Escape") {
        if (!onClear) return;
        event.preventDefault();
        onClear();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [enabled]);
}
