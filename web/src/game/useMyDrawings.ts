import { useCallback, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { deleteMyDrawings, EXPORT_FILENAME, exportMyDrawings, type Withdrawal } from "../api/contributors";

export type MyDrawingsAction = "download" | "delete";

export interface MyDrawingsState {
  busy: MyDrawingsAction | null;
  /** The last action that failed, so Retry repeats it. */
  failed: MyDrawingsAction | null;
  error: ApiError | null;
  /** What the last action did, in a sentence. */
  notice: string;
}

export interface UseMyDrawingsOptions {
  sessionId: string;
  onDeleted?: (withdrawal: Withdrawal) => void;
  /** The requests; replaced in tests. */
  api?: { exportMyDrawings: typeof exportMyDrawings; deleteMyDrawings: typeof deleteMyDrawings };
}

export interface MyDrawings {
  state: MyDrawingsState;
  download: () => Promise<void>;
  remove: () => Promise<void>;
}

export function deletedNotice(count: number): string {
  if (count === 0) return "You had no drawings to delete.";
  return `Deleted ${count} ${count === 1 ? "drawing" : "drawings"}.`;
}

/** Hands a Blob to the browser as a file download. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next turn: the click has started the download by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const IDLE: MyDrawingsState = { busy: null, failed: null, error: null, notice: "" };

/** Download or delete the drawings this session made; one request at a time. */
export function useMyDrawings({ sessionId, onDeleted, api = { exportMyDrawings, deleteMyDrawings } }: UseMyDrawingsOptions): MyDrawings {
  const [state, setState] = useState<MyDrawingsState>(IDLE);
  const inFlight = useRef(false);
  const latest = useRef({ api, onDeleted });
  latest.current = { api, onDeleted };

  const run = useCallback(async (action: MyDrawingsAction, work: () => Promise<string>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setState({ ...IDLE, busy: action });
    try {
      setState({ ...IDLE, notice: await work() });
    } catch (error) {
      setState({ ...IDLE, failed: action, error: toApiError(error) });
    } finally {
      inFlight.current = false;
    }
  }, []);

  const download = useCallback(
    () =>
      run("download", async () => {
        saveBlob(await latest.current.api.exportMyDrawings(sessionId), EXPORT_FILENAME);
        return `Your drawings were saved as ${EXPORT_FILENAME}.`;
      }),
    [run, sessionId],
  );

  const remove = useCallback(
    () =>
      run("delete", async () => {
        const withdrawal = await latest.current.api.deleteMyDrawings(sessionId);
        latest.current.onDeleted?.(withdrawal);
        return deletedNotice(withdrawal.drawings);
      }),
    [run, sessionId],
  );

  return { state, download, remove };
}
