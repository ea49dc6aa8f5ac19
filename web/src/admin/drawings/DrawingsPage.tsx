import { useState } from "react";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { DrawingCard } from "./DrawingCard";
import { DrawingFilterForm } from "./DrawingFilterForm";
import { ESTIMATE_TITLE, formatPageCount, formatTotal } from "./formatTotal";
import { DEFAULT_FLAG_REASON, PAGE_SIZE, useDrawingList } from "./useDrawingList";
import { useFilterOptions } from "./useFilterOptions";

export function DrawingsPage() {
  const list = useDrawingList();
  const options = useFilterOptions();
  const [reason, setReason] = useState(DEFAULT_FLAG_REASON);
  const { data, error, loading, reload } = list.page;

  return (
    <section className="admin-section">
      <h1>Drawings</h1>
      <DrawingFilterForm query={list.query} shapes={options.shapes} sources={options.sources} onChange={list.setQuery} />

      <div className="admin-toolbar" role="group" aria-label="Selection">
        <label className="admin-check">
          <input type="checkbox" checked={list.allSelected} onChange={list.toggleAll} disabled={!data?.items.length} />
          Select all on this page
        </label>
        <span className="admin-muted">{list.selected.size} selected</span>
        <label className="admin-field admin-field--inline">
          <span>Reason</span>
          <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button
          type="button"
          className="button"
          disabled={list.selected.size === 0 || list.flagging || reason.trim() === ""}
          aria-busy={list.flagging}
          onClick={() => void list.flagSelected(reason.trim())}
        >
          Flag
        </button>
      </div>
      {list.notice && (
        <p className="admin-notice" role="status">
          {list.notice}
        </p>
      )}
      <ErrorDisplay error={list.flagError} title="The drawings were not flagged." />
      <ErrorDisplay error={error} onRetry={reload} title="The drawings could not be loaded." />

      {data && (
        <p className="admin-muted" aria-live="polite">
          <span title={data.totalIsEstimate ? ESTIMATE_TITLE : undefined}>{formatTotal(data.total, data.totalIsEstimate)}</span>
          {" · "}page {list.pageNumber} of {formatPageCount(data.total, data.totalIsEstimate, PAGE_SIZE, list.pageNumber)}
          {loading ? " · loading…" : ""}
        </p>
      )}
      {!data && !error && <p className="admin-muted">Loading…</p>}
      {data && data.items.length === 0 && <p>No drawing matches these filters.</p>}
      {data && data.items.length > 0 && (
        <ul className="drawing-grid">
          {data.items.map((drawing) => (
            <DrawingCard key={drawing.id} drawing={drawing} selected={list.selected.has(drawing.id)} onToggle={list.toggle} />
          ))}
        </ul>
      )}

      <nav className="admin-pager" aria-label="Pages">
        <button type="button" className="button" onClick={list.previous} disabled={list.pageNumber === 1 || loading}>
          Previous page
        </button>
        <button type="button" className="button" onClick={list.next} disabled={!data?.nextCursor || loading}>
          Next page
        </button>
      </nav>
    </section>
  );
}
