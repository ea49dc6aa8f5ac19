import { useCallback, useState } from "react";
import { createShape, listShapes, updateShape, type AdminShape, type ShapeCreate } from "../../api/admin";
import { setShapePosition } from "../../api/adminData";
import { toApiError, type ApiError } from "../../api/client";
import { useAdminAction } from "../useAdminAction";
import { useApiResource } from "../useApiResource";
import { inOrder, movePlan, type Direction } from "./shapeOrder";

/** What went wrong with a change to one shape, for an ErrorDisplay above the table. */
export interface ShapeActionError {
  title: string;
  error: ApiError;
}

interface LocalRows {
  /** The list these changes were made on; a newer list from the server leaves them behind. */
  after: AdminShape[] | undefined;
  rows: AdminShape[];
}

function merged(base: readonly AdminShape[], changed: readonly AdminShape[]): AdminShape[] {
  const byId = new Map(base.map((shape) => [shape.id, shape]));
  for (const shape of changed) byId.set(shape.id, shape);
  return inOrder([...byId.values()]);
}

/** The catalogue in the game's order, and the changes a curator makes to it. Each answer
 * replaces its row at once; the list is fetched again only after a move that half failed. */
export function useShapes() {
  const load = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const resource = useApiResource(load);
  const loaded = resource.data;
  const [local, setLocal] = useState<LocalRows | null>(null);
  const { run: runCreate, running: creating, error: createError } = useAdminAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ShapeActionError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const shapes = local && local.after === loaded ? local.rows : loaded && inOrder(loaded);

  const apply = useCallback(
    (changed: AdminShape[]) =>
      setLocal((current) => ({
        after: loaded,
        rows: merged(current && current.after === loaded ? current.rows : (loaded ?? []), changed),
      })),
    [loaded],
  );

  const start = (id: string | null) => {
    setBusy(id);
    setNotice(null);
    setActionError(null);
  };

  /** True when the shape was added; the form is emptied then. */
  const create = (request: ShapeCreate): Promise<boolean> => {
    start(null);
    return runCreate(async () => {
      const shape = await createShape(request);
      apply([shape]);
      setNotice(`Shape “${shape.name}” added at the end of the catalogue.`);
    });
  };

  /** Null when renamed; otherwise why not, for the rename field. */
  const rename = async (shape: AdminShape, name: string): Promise<ApiError | null> => {
    start(shape.id);
    try {
      apply([await updateShape(shape.id, { name })]);
      setNotice(`“${shape.name}” renamed to “${name}”.`);
      return null;
    } catch (reason) {
      return toApiError(reason);
    } finally {
      setBusy(null);
    }
  };

  const setActive = async (shape: AdminShape, active: boolean): Promise<void> => {
    start(shape.id);
    try {
      apply([await updateShape(shape.id, { active })]);
      setNotice(active ? `${shape.name} is active: the game prompts it again.` : `${shape.name} is inactive: the game no longer prompts it.`);
    } catch (reason) {
      setActionError({ title: `${shape.name} could not be ${active ? "activated" : "deactivated"}.`, error: toApiError(reason) });
    } finally {
      setBusy(null);
    }
  };

  /** True when the shape moved. */
  const move = async (shape: AdminShape, direction: Direction): Promise<boolean> => {
    const plan = movePlan(shapes ?? [], shape.id, direction);
    if (plan.length === 0 || busy) return false;
    start(shape.id);
    const done: AdminShape[] = [];
    try {
      for (const change of plan) done.push(await setShapePosition(change.id, change.position));
      apply(done);
      const order = merged(shapes ?? [], done);
      const place = order.findIndex((s) => s.id === shape.id) + 1;
      setNotice(`${shape.name} moved ${direction}: ${place} of ${order.length}.`);
      return true;
    } catch (reason) {
      setActionError({ title: `${shape.name} could not be moved ${direction}.`, error: toApiError(reason) });
      // Part of the plan may have been stored: show the order as the server has it.
      if (done.length > 0) resource.reload();
      return false;
    } finally {
      setBusy(null);
    }
  };

  return {
    shapes,
    error: resource.error,
    reload: resource.reload,
    creating,
    createError,
    create,
    rename,
    setActive,
    move,
    busy,
    notice,
    actionError,
  };
}
