import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { Withdrawal } from "../api/contributors";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { useMyDrawings, type UseMyDrawingsOptions } from "./useMyDrawings";

export interface MyDrawingsMenuProps {
  sessionId: string;
  /** After a deletion: the totals the game shows no longer hold. */
  onDeleted?: (withdrawal: Withdrawal) => void;
  /** The requests; replaced in tests. */
  api?: UseMyDrawingsOptions["api"];
}

type View = "closed" | "menu" | "confirm";

interface DeleteConfirmationProps {
  id: string;
  onKeep: () => void;
  onDelete: () => void;
}

function DeleteConfirmation({ id, onKeep, onDelete }: DeleteConfirmationProps) {
  return (
    <div className="my-drawings__confirm" role="alertdialog" aria-labelledby={`${id}-question`} aria-describedby={`${id}-warning`}>
      <p id={`${id}-question`} className="my-drawings__question">
        Delete every drawing you made, for good?
      </p>
      <p id={`${id}-warning`}>This cannot be undone.</p>
      <div className="my-drawings__actions">
        <button type="button" className="button" onClick={onKeep}>
          Keep them
        </button>
        <button type="button" className="button button--danger" onClick={onDelete}>
          Delete them
        </button>
      </div>
    </div>
  );
}

const BUSY_NOTICE = { download: "Preparing your download…", delete: "Deleting your drawings…" };

/** "My drawings" in a corner of the game: download a copy of everything this session drew,
 * or delete it all after a confirmation. The menu follows the ARIA menu-button pattern:
 * arrows move between items, Escape closes and gives the focus back to the button. */
export function MyDrawingsMenu({ sessionId, onDeleted, api }: MyDrawingsMenuProps) {
  const { state, download, remove } = useMyDrawings({ sessionId, onDeleted, api });
  const [view, setView] = useState<View>("closed");
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  const busy = state.busy !== null;

  const close = () => {
    setView("closed");
    toggle.current?.focus();
  };
  const act = (action: () => Promise<void>) => {
    close();
    void action();
  };

  // The first item of the menu, or "Keep them" in the confirmation, takes the focus.
  useEffect(() => {
    if (view !== "closed") panel.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
  }, [view]);

  // A press anywhere else closes the menu, as a click outside any popup does.
  useEffect(() => {
    if (view === "closed") return;
    const onPointerDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setView("closed");
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [view]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (view === "closed") return;
    if (event.key === "Escape") {
      // Handled here, so the game's Escape (clear the drawing) does not fire as well.
      event.preventDefault();
      close();
    } else if (view === "menu" && ["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) {
      event.preventDefault();
      const items = Array.from(panel.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
      const at = items.indexOf(document.activeElement as HTMLButtonElement);
      const next =
        event.key === "Home" ? 0 : event.key === "End" ? items.length - 1 : (at + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    } else if (view === "menu" && event.key === "Tab") {
      setView("closed");
    }
  };

  return (
    <>
      <div className="my-drawings" ref={root} onKeyDown={onKeyDown}>
        <button
          ref={toggle}
          type="button"
          className="button button--quiet my-drawings__toggle"
          aria-haspopup="menu"
          aria-expanded={view === "menu"}
          aria-controls={view === "menu" ? `${id}-menu` : undefined}
          aria-busy={busy}
          onClick={() => setView(view === "closed" ? "menu" : "closed")}
        >
          My drawings
        </button>
        {view !== "closed" && (
          <div ref={panel} className="my-drawings__panel">
            {view === "menu" ? (
              <ul id={`${id}-menu`} className="my-drawings__menu" role="menu" aria-label="My drawings">
                <li role="none">
                  <button type="button" role="menuitem" tabIndex={-1} disabled={busy} onClick={() => act(download)}>
                    Download my drawings
                  </button>
                </li>
                <li role="none">
                  <button type="button" role="menuitem" tabIndex={-1} disabled={busy} onClick={() => setView("confirm")}>
                    Delete my drawings
                  </button>
                </li>
              </ul>
            ) : (
              <DeleteConfirmation id={id} onKeep={close} onDelete={() => act(remove)} />
            )}
          </div>
        )}
      </div>
      <div className="my-drawings__feedback">
        <p className="my-drawings__status" role="status">
          {state.busy ? BUSY_NOTICE[state.busy] : state.notice}
        </p>
        <ErrorDisplay
          error={state.error}
          title={state.failed === "delete" ? "Your drawings were not deleted." : "Your drawings could not be downloaded."}
          onRetry={() => void (state.failed === "delete" ? remove() : download())}
        />
      </div>
    </>
  );
}
