// Shape ids ("check") are for the API; people read the catalogue's names ("Check mark").
import { useEffect, useState } from "react";
import type { ShapeRef } from "../api/collection";

/** Shape id → name. */
export type ShapeNames = ReadonlyMap<string, string>;

/** A shape's name, or its id when the catalogue does not know it (yet, or any more). */
export const shapeName = (names: ShapeNames | undefined, id: string): string => names?.get(id) ?? id;

/** The names from one shapes list (GET /api/shapes, or the admin's), fetched once. Until they
 * arrive, or if they cannot be fetched, ids stand in: a label is never worth an error. */
export function useShapeNames(load: (signal: AbortSignal) => Promise<readonly ShapeRef[]>): ShapeNames {
  const [names, setNames] = useState<ShapeNames>(() => new Map());
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal)
      .then((shapes) => {
        if (!controller.signal.aborted) setNames(new Map(shapes.map((shape) => [shape.id, shape.name])));
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [load]);
  return names;
}
