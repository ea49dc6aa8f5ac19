// Shapes as the admin API answers them, for the Shapes and Import & export tests.
import type { AdminShape } from "../../api/admin";

export const shape = (id: string, name: string, position: number, changes: Partial<AdminShape> = {}): AdminShape => ({
  id, name, position, closed: true, active: true, createdAt: "2027-03-01T10:00:00Z", total: 10 * (position + 1), unflagged: 9 * (position + 1),
  ...changes,
});

export const CIRCLE = shape("circle", "Circle", 0);
export const SQUARE = shape("square", "Square", 1);
export const ZIGZAG = shape("zigzag", "Zigzag", 2, { closed: false, active: false, total: 1234 });
export const CATALOGUE = [SQUARE, ZIGZAG, CIRCLE]; // not in order: the page sorts by position
