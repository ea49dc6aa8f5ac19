import { useCallback } from "react";
import { listShapes } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useApiResource } from "../useApiResource";
import { ExportForm } from "./ExportForm";
import { ImportForm } from "./ImportForm";

/** Drawings in and out of the collection as JSON Lines files. */
export function TransferPage() {
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const shapes = useApiResource(loadShapes);
  return (
    <section className="admin-section">
      <h1>Import &amp; export</h1>
      <ImportForm />
      <ErrorDisplay error={shapes.error} onRetry={shapes.reload} title="The shapes could not be loaded." />
      {!shapes.data && !shapes.error ? <p className="admin-muted">Loading…</p> : <ExportForm shapes={shapes.data ?? []} />}
    </section>
  );
}
