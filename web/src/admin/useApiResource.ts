import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";

export interface ApiResource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Fetch again; the data shown so far stays until the answer arrives. */
  reload: () => void;
}

export interface ApiResourceOptions {
  /** Fetch again every so many ms while this is set (live progress). */
  pollMs?: number;
}

/**
 * Data from one GET. `load` should be stable (useCallback) — a new `load` fetches again.
 * An answer that arrives after a newer request started, or after unmount, is dropped.
 */
export function useApiResource<T>(load: (signal: AbortSignal) => Promise<T>, options: ApiResourceOptions = {}): ApiResource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setLoading(true);
    load(current.signal)
      .then((value) => {
        if (current.signal.aborted) return;
        setData(value);
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!current.signal.aborted) setError(toApiError(reason));
      })
      .finally(() => {
        if (!current.signal.aborted) setLoading(false);
      });
  }, [load]);

  useEffect(() => {
    reload();
    return () => controller.current?.abort();
  }, [reload]);

  const { pollMs } = options;
  useEffect(() => {
    if (!pollMs) return;
    const timer = window.setInterval(reload, pollMs);
    return () => window.clearInterval(timer);
  }, [pollMs, reload]);

  return { data, error, loading, reload };
}
