import { useCallback, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import type { Page } from "../../api/admin";
import { listContributors, type Contributor, type ContributorSort } from "../../api/review";
import { useApiResource } from "../useApiResource";

export const CONTRIBUTORS_PAGE_SIZE = 50;

interface MorePages {
  /** The first page these follow; a new first page (another sort) leaves them behind. */
  after: Page<Contributor>;
  items: Contributor[];
  nextCursor: string | null;
}

/** Contributor sessions in the chosen order: the first page, then more on request. */
export function useContributors() {
  const [sort, setSort] = useState<ContributorSort>("trust");
  const load = useCallback((signal: AbortSignal) => listContributors({ sort, limit: CONTRIBUTORS_PAGE_SIZE }, signal), [sort]);
  const first = useApiResource(load);
  const [more, setMore] = useState<MorePages | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);

  const page = first.data;
  const extra = page && more?.after === page ? more : null;
  const cursor = extra ? extra.nextCursor : (page?.nextCursor ?? null);

  const loadMore = useCallback(async () => {
    if (!page || !cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const next = await listContributors({ sort, limit: CONTRIBUTORS_PAGE_SIZE, cursor });
      setMore({ after: page, items: [...(extra?.items ?? []), ...next.items], nextCursor: next.nextCursor });
    } catch (reason) {
      setMoreError(toApiError(reason));
    } finally {
      setLoadingMore(false);
    }
  }, [page, cursor, sort, extra]);

  return {
    sort,
    setSort,
    items: page ? [...page.items, ...(extra?.items ?? [])] : undefined,
    error: first.error,
    loading: first.loading,
    reload: first.reload,
    hasMore: cursor !== null,
    loadMore,
    loadingMore,
    moreError,
  };
}
