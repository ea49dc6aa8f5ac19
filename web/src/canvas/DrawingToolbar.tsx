import type { ReactNode } from "react";

export interface DrawingToolbarProps {
  onUndo: () => void;
  /** Without it there is no Clear button. */
  onClear?: () => void;
  canEdit: boolean;
  /** The page's main action (Submit, Classify). */
  children?: ReactNode;
}

/** Undo, and Clear where the page offers it, with the page's main action beside them. Enter
 * on any of them means the page's Enter shortcut (submit), never "press the focused button
 * again"; Tab and Space work as usual (`DRAWING_CONTROLS` in useDrawingShortcuts). */
export function DrawingToolbar({ onUndo, onClear, canEdit, children }: DrawingToolbarProps) {
  return (
    <div className="toolbar" role="group" aria-label="Drawing tools" data-drawing-controls="">
      <button type="button" className="button button--quiet" onClick={onUndo} disabled={!canEdit} aria-keyshortcuts="Control+Z Meta+Z">
        Undo
      </button>
      {onClear && (
        <button type="button" className="button button--quiet" onClick={onClear} disabled={!canEdit} aria-keyshortcuts="Escape">
          Clear
        </button>
      )}
      {children}
    </div>
  );
}
