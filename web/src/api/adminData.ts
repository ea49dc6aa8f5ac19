// Admin calls that admin.ts lacks, for the Shapes and Audit log pages: moving a shape in the
// catalogue's order, and the audit log with every filter the page offers.
import { admin, type AdminShape, type AuditEntry, type Page } from "./admin";

/** Sets a shape's place in the game's order (shapes are listed by `position`, then id). */
export function setShapePosition(id: string, position: number): Promise<AdminShape> {
  return admin<AdminShape>(`/shapes/${encodeURIComponent(id)}`, { method: "PATCH", body: { position } });
}

export interface AuditFilters {
  /** Exactly this action, e.g. `shape.create`. */
  action?: string;
  /** The admin's email, or part of it. */
  actor?: string;
  /** Inclusive, ISO 8601. */
  createdFrom?: string;
  /** Exclusive, ISO 8601. */
  createdTo?: string;
}

export interface AuditQuery extends AuditFilters {
  limit?: number;
  cursor?: string;
}

/** The audit log, newest first, filtered by the server: `action` exactly, `actor` as part of
 * the admin's email, `createdFrom` inclusive and `createdTo` exclusive (as the drawings list). */
export function listAuditLog(query: AuditQuery = {}, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return admin<Page<AuditEntry>>("/audit", { query: { ...query }, signal });
}
