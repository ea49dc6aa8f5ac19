import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { fetchReviewQueue, reviewDrawing, type ReviewAction, type ReviewDecision, type ReviewItem, type ReviewResult } from "../../api/review";
import { DEFAULT_FLAG_REASON } from "../drawings/useDrawingList";

export const QUEUE_PAGE_SIZE = 20;
/** Fetch the next page this many drawings before the end of the ones loaded. */
const PREFETCH_AHEAD = 2;

/** "Accepted.", "Flagged.", "Relabelled as Star." */
export function reviewNotice(result: ReviewResult): string {
  if (result.action === "accept") return "Accepted.";
  if (result.action === "flag") return "Flagged.";
  return `Relabelled as ${result.shape.name}.`;
}

/**
 * The review queue, one drawing at a time: pages fetched as the reviewer nears the end of
 * those loaded, and a drawing acted on taken out of the list so the next one slides in.
 */
export function useReviewQueue() {
  const [items, setItems] = useState<ReviewItem[]>([]);
  const [index, setIndex] = useState(0);
  const [total, setTotal] = useState(0);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<ReviewAction | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // Drawings already decided: a later page must not bring them back.
  const decided = useRef(new Set<string>());

  const load = useCallback((cursor: string | undefined) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setLoading(true);
    fetchReviewQueue({ limit: QUEUE_PAGE_SIZE, cursor }, current.signal)
      .then((page) => {
        if (current.signal.aborted) return;
        const fresh = page.items.filter((item) => !decided.current.has(item.drawingId));
        if (cursor === undefined) {
          setItems(fresh);
          setIndex(0);
        } else {
          setItems((shown) => {
            const known = new Set(shown.map((item) => item.drawingId));
            return [...shown, ...fresh.filter((item) => !known.has(item.drawingId))];
          });
        }
        setTotal(page.total);
        setNextCursor(page.nextCursor);
        setLoaded(true);
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!current.signal.aborted) setError(toApiError(reason));
      })
      .finally(() => {
        if (!current.signal.aborted) setLoading(false);
      });
  }, []);

  useEffect(() => {
    load(undefined);
    return () => controller.current?.abort();
  }, [load]);

  useEffect(() => {
    if (nextCursor && !loading && !error && index >= items.length - PREFETCH_AHEAD) load(nextCursor);
  }, [nextCursor, loading, error, index, items.length, load]);

  // The last drawing was decided and nothing follows: show the one before it.
  useEffect(() => {
    if (!nextCursor && index > 0 && index >= items.length) setIndex(Math.max(0, items.length - 1));
  }, [nextCursor, index, items.length]);

  const current: ReviewItem | undefined = items[index];
  const canNext = index + 1 < items.length;
  const canPrevious = index > 0;
  const next = useCallback(() => setIndex((at) => (at + 1 < items.length ? at + 1 : at)), [items.length]);
  const previous = useCallback(() => setIndex((at) => Math.max(0, at - 1)), []);

  const decide = useCallback(
    async (decision: ReviewDecision): Promise<boolean> => {
      if (!current || busy) return false;
      const id = current.drawingId;
      setBusy(decision.action);
      setActionError(null);
      setNotice(null);
      try {
        const result = await reviewDrawing(id, decision);
        decided.current.add(id);
        setItems((shown) => shown.filter((item) => item.drawingId !== id));
        setTotal((count) => Math.max(0, count - 1));
        setNotice(reviewNotice(result));
        return true;
      } catch (reason) {
        setActionError(toApiError(reason));
        return false;
      } finally {
        setBusy(null);
      }
    },
    [current, busy],
  );

  const retry = useCallback(() => load(loaded ? (nextCursor ?? undefined) : undefined), [load, loaded, nextCursor]);

  return {
    current,
    upcoming: items[index + 1] as ReviewItem | undefined,
    position: index + 1,
    total: Math.max(total, items.length),
    loaded,
    loading,
    /** More drawings may follow the ones loaded. */
    hasMore: nextCursor !== null,
    error,
    retry,
    canNext,
    canPrevious,
    next,
    previous,
    busy,
    actionError,
    notice,
    accept: () => decide({ action: "accept" }),
    flag: () => decide({ action: "flag", reason: DEFAULT_FLAG_REASON }),
    relabel: (shapeId: string) => decide({ action: "relabel", shapeId }),
  };
}
