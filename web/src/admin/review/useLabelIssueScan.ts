import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { listLabelIssues, startLabelIssueScan } from "../../api/review";
import { useApiResource } from "../useApiResource";

/** The latest label-issue scan, and starting a new one. */
export function useLabelIssueScan() {
  // Only the scan's summary is shown here; the issues themselves reach the queue.
  const load = useCallback((signal: AbortSignal) => listLabelIssues({ limit: 1 }, signal), []);
  const latest = useApiResource(load);
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const start = useCallback(async () => {
    setStarting(true);
    setNotice(null);
    setActionError(null);
    try {
      const { created } = await startLabelIssueScan({});
      setNotice(created ? "Scan started." : "A scan is already under way.");
    } catch (reason) {
      setActionError(toApiError(reason));
    } finally {
      setStarting(false);
    }
  }, []);

  return { latest, start, starting, notice, actionError };
}
