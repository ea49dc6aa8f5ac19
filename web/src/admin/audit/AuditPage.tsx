import { AuditFilterForm } from "./AuditFilterForm";
import { AuditTable } from "./AuditTable";
import { useAuditLog } from "./useAuditLog";

/** Who did what in the dashboard and the CLI: log-ins, curation, imports, catalogue changes. */
export function AuditPage() {
  const log = useAuditLog();
  const { items } = log;
  const filtered = Object.keys(log.filters).length > 0;
  return (
    <section className="admin-section">
      <h1>Audit log</h1>
      <AuditFilterForm error={log.error} onRetry={log.reload} onFilter={log.filter} />
      <div className="admin-toolbar">
        <span className="admin-muted">Page {log.pageNumber}</span>
        {log.loading && items && <span className="admin-muted">Loading…</span>}
      </div>
      {!items && !log.error && <p className="admin-muted">Loading…</p>}
      {items && items.length === 0 && (
        <p>
          {filtered ? "No audit entry matches the filters." : "Nothing has been recorded yet."}
        </p>
      )}
      {items && items.length > 0 && <AuditTable entries={items} />}
      {(log.pageNumber > 1 || log.hasOlder) && (
        <nav className="admin-pager" aria-label="Audit log pages">
          {log.pageNumber > 1 && (
            <>
              <button type="button" className="button" onClick={log.newest}>
                Newest entries
              </button>
              <button type="button" className="button" onClick={log.newer}>
                Newer entries
              </button>
            </>
          )}
          {log.hasOlder && (
            <button type="button" className="button" onClick={log.older}>
              Older entries
            </button>
          )}
        </nav>
      )}
    </section>
  );
}
