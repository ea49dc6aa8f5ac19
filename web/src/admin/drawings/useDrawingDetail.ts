import { useCallback, useEffect, useState } from "react";
import { toApiError, type ApiError } from "../../api/client";
import * as api from "../../api/admin";
import { useApiResource } from "../useApiResource";
import { forgetStrokes, rememberStrokes } from "./strokeCache";

export type DrawingAction = "flag" | "unflag" | "delete";

/** One drawing with its strokes, and the curation actions on it. */
export function useDrawingDetail(id: string) {
  const load = useCallback((signal: AbortSignal) => api.fetchDrawing(id, signal), [id]);
  const resource = useApiResource(load);
  const [drawing, setDrawing] = useState<api.DrawingDetail | undefined>(undefined);
  const [busy, setBusy] = useState<DrawingAction | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [deleted, setDeleted] = useState(false);

  useEffect(() => {
    setDrawing(resource.data);
    if (resource.data) rememberStrokes(resource.data.id, resource.data.strokeData);
  }, [resource.data]);

  const run = useCallback(async (action: DrawingAction, call: () => Promise<void>) => {
    setBusy(action);
    setActionError(null);
    try {
      await call();
    } catch (reason) {
      setActionError(toApiError(reason));
    } finally {
      setBusy(null);
    }
  }, []);

  // The flag routes answer the drawing without its strokes; keep the strokes we have.
  const merge = (summary: api.DrawingSummary) => setDrawing((current) => (current ? { ...current, ...summary } : current));

  const flag = (reason: string) => run("flag", async () => merge(await api.flagDrawing(id, reason)));
  const unflag = () => run("unflag", async () => merge(await api.unflagDrawing(id)));
  const remove = () =>
    run("delete", async () => {
      await api.deleteDrawing(id);
      forgetStrokes(id);
      setDeleted(true);
    });

  return { drawing, error: resource.error, reload: resource.reload, busy, actionError, deleted, flag, unflag, remove };
}
