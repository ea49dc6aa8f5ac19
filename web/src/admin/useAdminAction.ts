import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../api/client";

/** One kind of change an admin makes from a form (create a key, a shape, a snapshot): whether
 * it is under way, for the submit button, and why it last failed, for the form's ErrorDisplay. */
export interface AdminAction {
  running: boolean;
  error: ApiError | null;
  /** Runs `work`, clearing the last error first; true when it succeeded, false when it threw. */
  run: (work: () => Promise<void>) => Promise<boolean>;
}

export function useAdminAction(): AdminAction {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = useCallback(async (work: () => Promise<void>): Promise<boolean> => {
    setRunning(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (reason) {
      setError(toApiError(reason));
      return false;
    } finally {
      setRunning(false);
    }
  }, []);

  return { running, error, run };
}
