import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/evaluation";
import { useApiResource } from "../useApiResource";

/** The registered evaluation sets, and adding and removing one. `onChange` runs after
 * either (a removed set takes its scores with it). */
export function useEvalSets(onChange: () => void) {
  const load = useCallback((signal: AbortSignal) => api.listEvalSets(signal), []);
  const sets = useApiResource(load);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const { reload } = sets;

  const run = useCallback(
    async (key: string, action: () => Promise<unknown>): Promise<boolean> => {
      setBusy(key);
      setActionError(null);
      try {
        await action();
        reload();
        onChange();
        return true;
      } catch (reason) {
        setActionError(toApiError(reason));
        return false;
      } finally {
        setBusy(null);
      }
    },
    [reload, onChange],
  );

  const add = useCallback((name: string, file: Blob) => run("add", () => api.addEvalSet(name, file)), [run]);
  const remove = useCallback((name: string) => run(`remove:${name}`, () => api.removeEvalSet(name)), [run]);

  return { sets: sets.data, error: sets.error, reload, add, remove, busy, actionError };
}
