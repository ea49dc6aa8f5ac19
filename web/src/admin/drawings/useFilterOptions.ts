import { useCallback } from "react";
import { fetchStats, listShapes, type AdminShape } from "../../api/admin";
import { useApiResource } from "../useApiResource";

export interface FilterOptions {
  shapes: AdminShape[];
  sources: string[];
}

/** The choices the filters offer: the shape catalogue and the sources seen so far. */
export function useFilterOptions(): FilterOptions {
  const load = useCallback(async (signal: AbortSignal) => {
    const [shapes, stats] = await Promise.all([listShapes(signal), fetchStats(signal)]);
    return { shapes, sources: stats.bySource.map((entry) => entry.source) };
  }, []);
  return useApiResource(load).data ?? { shapes: [], sources: [] };
}
