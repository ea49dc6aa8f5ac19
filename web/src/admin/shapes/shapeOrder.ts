// The catalogue's order: shapes are listed (and prompted) by `position`, then by id. Moving
// one a place up or down changes the positions of as few shapes as it can.
import type { AdminShape } from "../../api/admin";

export type Direction = "up" | "down";

export const inOrder = (shapes: readonly AdminShape[]): AdminShape[] =>
  [...shapes].sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export interface PositionChange {
  id: string;
  position: number;
}

/**
 * The position changes that move shape `id` one place in `direction`, the moved shape first:
 * the positions in use are dealt out again in the new order, so with distinct positions only
 * the two shapes that swap places change; with tied ones, every shape is renumbered from 0.
 * Empty when the shape is unknown or already at that end.
 */
export function movePlan(shapes: readonly AdminShape[], id: string, direction: Direction): PositionChange[] {
  const order = inOrder(shapes);
  const from = order.findIndex((shape) => shape.id === id);
  const to = direction === "up" ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= order.length) return [];
  [order[from], order[to]] = [order[to], order[from]];
  const positions = shapes.map((shape) => shape.position).sort((a, b) => a - b);
  const distinct = new Set(positions).size === positions.length;
  const changes = order
    .map((shape, index) => ({ id: shape.id, position: distinct ? positions[index] : index, was: shape.position }))
    .filter((change) => change.position !== change.was)
    .map(({ id: changed, position }) => ({ id: changed, position }));
  return [...changes.filter((change) => change.id === id), ...changes.filter((change) => change.id !== id)];
}
