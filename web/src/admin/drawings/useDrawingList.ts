import { useCallback, useMemo, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { flagDrawings, listDrawings, type DrawingQuery } from "../../api/admin";
import { useApiResource } from "../useApiResource";

export const PAGE_SIZE = 24;
export const DEFAULT_FLAG_REASON = "Flagged in review";

/** The drawing list: filters, cursor pages (a stack, for Previous), selection, bulk flag. */
export function useDrawingList() {
  const [query, setQueryState] = useState<DrawingQuery>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [flagging, setFlagging] = useState(false);
  const [flagError, setFlagError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const cursor = cursors[cursors.length - 1];
  const queryKey = JSON.stringify(query);
  const load = useCallback(
    (signal: AbortSignal) => listDrawings({ ...(JSON.parse(queryKey) as DrawingQuery), limit: PAGE_SIZE, cursor }, signal),
    [queryKey, cursor],
  );
  const page = useApiResource(load);

  const setQuery = useCallback((next: DrawingQuery) => {
    setQueryState(next);
    setCursors([undefined]);
    setSelected(new Set());
    setNotice(null);
  }, []);

  const next = useCallback(() => {
    const nextCursor = page.data?.nextCursor;
    if (nextCursor) setCursors((stack) => [...stack, nextCursor]);
  }, [page.data]);
  const previous = useCallback(() => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)), []);

  const toggle = useCallback((id: string) => {
    setSelected((current) => {
      const copy = new Set(current);
      if (!copy.delete(id)) copy.add(id);
      return copy;
    });
  }, []);
  const ids = useMemo(() => page.data?.items.map((item) => item.id) ?? [], [page.data]);
  const allSelected = ids.length > 0 && ids.every((id) => selected.has(id));
  const toggleAll = useCallback(() => {
    setSelected((current) => {
      const copy = new Set(current);
      if (ids.every((id) => current.has(id))) ids.forEach((id) => copy.delete(id));
      else ids.forEach((id) => copy.add(id));
      return copy;
    });
  }, [ids]);

  const { reload } = page;
  const flagSelected = useCallback(
    async (reason: string) => {
      if (selected.size === 0) return;
      setFlagging(true);
      setFlagError(null);
      try {
        const result = await flagDrawings([...selected], reason);
        setNotice(`Flagged ${result.flagged} drawing${result.flagged === 1 ? "" : "s"}.`);
        setSelected(new Set());
        reload();
      } catch (reason) {
        setFlagError(toApiError(reason));
      } finally {
        setFlagging(false);
      }
    },
    [selected, reload],
  );

  return {
    query,
    setQuery,
    page,
    pageNumber: cursors.length,
    next,
    previous,
    selected,
    toggle,
    allSelected,
    toggleAll,
    flagSelected,
    flagging,
    flagError,
    notice,
  };
}
