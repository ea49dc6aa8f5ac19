import { useCallback, useMemo } from "react";
import { listShapes } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { Link } from "../../router/router";
import { useApiResource } from "../useApiResource";
import { datasetPath } from "./datasetLinks";
import { DatasetTable } from "./DatasetTable";
import { SnapshotForm } from "./SnapshotForm";
import { useDatasets } from "./useDatasets";

/** The frozen snapshots of the drawings that models train on, and the making of one. */
export function DatasetsPage() {
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const shapes = useApiResource(loadShapes);
  const names = useMemo(() => new Map((shapes.data ?? []).map((shape) => [shape.id, shape.name])), [shapes.data]);
  const { datasets, error, reload, create, creating, createError, created } = useDatasets();

  return (
    <section className="admin-section">
      <h1>Datasets</h1>
      <p className="admin-muted">
        A snapshot freezes which drawings a filter takes, so a model can be trained on it again, and it can be exported
        as it was made. Drawings are only ever taken out of one when their contributor withdraws them.
      </p>
      {created && (
        <p className="admin-notice" role="status">
          Snapshot “{created.name}” made: {created.drawings.toLocaleString()} drawings.{" "}
          <Link to={datasetPath(created.id)}>Open {created.name}</Link>
        </p>
      )}
      <ErrorDisplay error={error} onRetry={reload} title="The snapshots could not be loaded." />
      {!datasets && !error && <p className="admin-muted">Loading…</p>}
      {datasets && datasets.length === 0 && <p>No snapshot yet; make one below, or start a training job.</p>}
      {datasets && datasets.length > 0 && <DatasetTable datasets={datasets} names={names} highlightId={created?.id} />}

      <ErrorDisplay error={shapes.error} onRetry={shapes.reload} title="The shapes could not be loaded." />
      <SnapshotForm shapes={shapes.data ?? []} creating={creating} error={createError} onCreate={create} />
    </section>
  );
}
