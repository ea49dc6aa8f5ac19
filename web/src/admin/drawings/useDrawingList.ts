import { useCallback, useEffect, useMemo, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import { flagDrawings, listDrawings, type DrawingQuery } from "../../api/admin";
import { navigate, useSearch } from "../../router/router";
import { useApiResource } from "../useApiResource";
import { DRAWINGS_PATH, formatListSearch, parseListSearch, rememberListSearch, type DrawingListState } from "./listSearch";

export const PAGE_SIZE = 24;
export const DEFAULT_FLAG_REASON = "Flagged in review";

/** Filters and page live in the URL (listSearch.ts); each change replaces the history entry,
 * so Back leaves the list rather than stepping through every filter tried. */
function show(state: DrawingListState): void {
  navigate(`${DRAWINGS_PATH}${formatListSearch(state)}`, { replace: true });
}

/** The drawing list: filters and cursor pages (a stack, for Previous) from the URL, selection,
 * bulk flag. */
export function useDrawingList() {
  const search = useSearch();
  const { query, cursors } = useMemo(() => parseListSearch(search), [search]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [flagging, setFlagging] = useState(false);
  const [flagError, setFlagError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => rememberListSearch(formatListSearch({ query, cursors })), [query, cursors]);

  const cursor = cursors[cursors.length - 1];
  const queryKey = JSON.stringify(query);
  // Other filters, however they came (the form, the menu's plain "Drawings" link): a new
  // selection. Set while rendering, React's way of resetting state on a changed input.
  const [selectionKey, setSelectionKey] = useState(queryKey);
  if (selectionKey !== queryKey) {
    setSelectionKey(queryKey);
    setSelected(new Set());
    setNotice(null);
  }
  const load = useCallback(
    (signal: AbortSignal) => listDrawings({ ...(JSON.parse(queryKey) as DrawingQuery), limit: PAGE_SIZE, cursor }, signal),
    [queryKey, cursor],
  );
  const page = useApiResource(load);

  const setQuery = useCallback((next: DrawingQuery) => show({ query: next, cursors: [] }), []);

  const nextCursor = page.data?.nextCursor;
  const next = useCallback(() => {
    if (nextCursor) show({ query, cursors: [...cursors, nextCursor] });
  }, [query, cursors, nextCursor]);
  const previous = useCallback(() => {
    if (cursors.length > 0) show({ query, cursors: cursors.slice(0, -1) });
  }, [query, cursors]);

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
    pageNumber: cursors.length + 1,
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
