import { useCallback, useState } from "react";
import { listAuditLog, type AuditFilters } from "../../api/adminData";
import { useApiResource } from "../useApiResource";

export const AUDIT_PAGE_SIZE = 50;

/** The audit log a page at a time, newest first: "Older entries" follows the server's cursor,
 * "Newer entries" goes back along the cursors followed; new filters start from the newest. */
export function useAuditLog() {
  const [filters, setFilters] = useState<AuditFilters>({});
  // The cursor of each page followed so far; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const load = useCallback(
    (signal: AbortSignal) => listAuditLog({ ...filters, cursor, limit: AUDIT_PAGE_SIZE }, signal),
    [filters, cursor],
  );
  const resource = useApiResource(load);
  const page = resource.data;
  const items = page?.items;

  return {
    filters,
    filter: (next: AuditFilters) => {
      setFilters(next);
      setCursors([undefined]);
    },
    items,
    error: resource.error,
    loading: resource.loading,
    reload: resource.reload,
    pageNumber: cursors.length,
    hasOlder: Boolean(page?.nextCursor),
    older: () => {
      if (page?.nextCursor && !resource.loading) setCursors([...cursors, page.nextCursor]);
    },
    newer: () => {
      if (!resource.loading) setCursors(cursors.slice(0, -1));
    },
    newest: () => setCursors([undefined]),
  };
}
