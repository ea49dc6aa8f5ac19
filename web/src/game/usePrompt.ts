import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { fetchNextShape, type ShapeRef } from "../api/collection";

export interface Prompt {
  shape: ShapeRef | null;
  loading: boolean;
  error: ApiError | null;
  /** Ask the server for the next shape (first load, skip, retry). */
  load: () => void;
  /** Use a shape already known, e.g. `nextShape` from a submit answer: no request. */
  show: (shape: ShapeRef) => void;
}

/** The shape to draw. The first comes from GET /api/shapes/next; later ones ride on the submit answer. */
export function usePrompt(sessionId: string): Prompt {
  const [shape, setShape] = useState<ShapeRef | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const controller = useRef<AbortController | null>(null);

  const load = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setLoading(true);
    setError(null);
    fetchNextShape(sessionId, current.signal)
      .then((next) => {
        if (current.signal.aborted) return;
        setShape(next);
        setLoading(false);
      })
      .catch((reason: unknown) => {
        if (current.signal.aborted) return;
        setError(toApiError(reason));
        setLoading(false);
      });
  }, [sessionId]);

  const show = useCallback((next: ShapeRef) => {
    controller.current?.abort();
    setShape(next);
    setLoading(false);
    setError(null);
  }, []);

  useEffect(() => {
    load();
    return () => controller.current?.abort();
  }, [load]);

  return { shape, loading, error, load, show };
}
