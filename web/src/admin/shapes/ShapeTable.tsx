import { useEffect, useRef, useState } from "react";
import type { AdminShape } from "../../api/admin";
import type { ApiError } from "../../api/client";
import { RenameShape } from "./RenameShape";
import type { Direction } from "./shapeOrder";

export interface ShapeTableProps {
  /** In the game's order. */
  shapes: AdminShape[];
  /** The shape a change is on its way for. */
  busy: string | null;
  onRename: (shape: AdminShape, name: string) => Promise<ApiError | null>;
  onSetActive: (shape: AdminShape, active: boolean) => void;
  /** Resolves true when the shape moved. */
  onMove: (shape: AdminShape, direction: Direction) => Promise<boolean>;
}

const other = (direction: Direction): Direction => (direction === "up" ? "down" : "up");

/** The catalogue: rename in place, (de)activate, and move up or down with the keyboard or mouse. */
export function ShapeTable({ shapes, busy, onRename, onSetActive, onMove }: ShapeTableProps) {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const [moved, setMoved] = useState<{ id: string; direction: Direction } | null>(null);

  // The moved row's button keeps the focus (its other one at the top or bottom), so that
  // Move up can be pressed again and again; the rows are in their new order by then.
  useEffect(() => {
    if (!moved) return;
    const same = buttons.current.get(`${moved.id}:${moved.direction}`);
    const fallback = buttons.current.get(`${moved.id}:${other(moved.direction)}`);
    (same && !same.disabled ? same : fallback)?.focus();
    setMoved(null);
  }, [moved]);

  const move = async (shape: AdminShape, direction: Direction) => {
    if (await onMove(shape, direction)) setMoved({ id: shape.id, direction });
  };

  const moveButton = (shape: AdminShape, direction: Direction, disabled: boolean) => (
    <button
      ref={(element) => {
        const key = `${shape.id}:${direction}`;
        if (element) buttons.current.set(key, element);
        else buttons.current.delete(key);
      }}
      type="button"
      className="button"
      disabled={disabled}
      aria-busy={busy === shape.id}
      onClick={() => void move(shape, direction)}
    >
      Move <span className="visually-hidden">{shape.name}</span> {direction}
    </button>
  );

  return (
    <div className="admin-scroll">
      <table className="admin-table">
        <caption>The catalogue, in the order the game prompts it</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Outline</th>
            <th scope="col">Status</th>
            <th scope="col">Drawings</th>
            <th scope="col">Unflagged</th>
            <th scope="col">Move</th>
          </tr>
        </thead>
        <tbody>
          {shapes.map((shape, index) => (
            <tr key={shape.id}>
              <td>{index + 1}</td>
              <th scope="row">
                <RenameShape shape={shape} busy={busy === shape.id} onRename={(name) => onRename(shape, name)} />
              </th>
              <td>
                <code>{shape.id}</code>
              </td>
              <td>{shape.closed ? "Closed" : "Open"}</td>
              <td>
                <span className="admin-confirm">
                  <span className={`admin-badge${shape.active ? " admin-badge--completed" : ""}`}>{shape.active ? "Active" : "Inactive"}</span>
                  <button type="button" className="button button--quiet" aria-busy={busy === shape.id} onClick={() => onSetActive(shape, !shape.active)}>
                    {shape.active ? "Deactivate" : "Activate"} <span className="visually-hidden">{shape.name}</span>
                  </button>
                </span>
              </td>
              <td>{shape.total.toLocaleString()}</td>
              <td>{shape.unflagged.toLocaleString()}</td>
              <td>
                <span className="admin-confirm">
                  {moveButton(shape, "up", index === 0)}
                  {moveButton(shape, "down", index === shapes.length - 1)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
