import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { fetchModelInfo, type ModelInfo } from "../api/inference";

export type ModelInfoState =
  | { status: "loading" }
  | { status: "ready"; info: ModelInfo }
  /** 503: no model trained or activated yet. */
  | { status: "unavailable"; error: ApiError }
  | { status: "error"; error: ApiError };

export function useModelInfo(): { state: ModelInfoState; reload: () => void } {
  const [state, setState] = useState<ModelInfoState>({ status: "loading" });
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setState({ status: "loading" });
    fetchModelInfo(current.signal)
      .then((info) => {
        if (!current.signal.aborted) setState({ status: "ready", info });
      })
      .catch((reason: unknown) => {
        if (current.signal.aborted) return;
        const error = toApiError(reason);
        setState(error.status === 503 ? { status: "unavailable", error } : { status: "error", error });
      });
  }, []);

  useEffect(() => {
    reload();
    return () => controller.current?.abort();
  }, [reload]);

  return { state, reload };
}
