import { useCallback } from "react";
import { listShapes } from "../../api/admin";
import { datasetExportUrl, datasheetUrl, type DatasetDetail } from "../../api/datasets";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useShapeNames, type ShapeNames } from "../../common/shapeNames";
import { Link } from "../../router/router";
import { FactList } from "../FactList";
import { modelPath } from "../models/modelLinks";
import { CountTable, filterFacts, shapeLabel } from "./datasetFacts";
import { DATASETS_PATH, trainFromDatasetPath } from "./datasetLinks";
import { DeleteSnapshot } from "./DeleteSnapshot";
import { useDatasetDetail } from "./useDatasetDetail";

function Datasheet({ dataset }: { dataset: DatasetDetail }) {
  const { sources, licences, history } = dataset.datasheet;
  return (
    <section aria-labelledby="datasheet-heading">
      <h2 id="datasheet-heading">Datasheet</h2>
      <div className="dataset-detail__tables">
        <CountTable caption="Sources" what="Source" counts={sources} />
        <CountTable caption="Licences" what="Licence" counts={licences} />
      </div>
      <h3>Withdrawals</h3>
      {history.length === 0 ? (
        <p className="admin-muted">No drawing has been withdrawn from it.</p>
      ) : (
        <ul className="admin-history" aria-label="Withdrawals">
          {history.map((change) => (
            <li key={`${change.at}:${change.contentHash}`} title={`${change.previousHash} → ${change.contentHash}`}>
              {new Date(change.at).toLocaleString()}: {change.withdrawn.toLocaleString()} withdrawn; hash{" "}
              <code>{change.previousHash.slice(0, 12)}</code> → <code>{change.contentHash.slice(0, 12)}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TrainedModels({ dataset }: { dataset: DatasetDetail }) {
  return (
    <section aria-labelledby="dataset-models-heading">
      <h2 id="dataset-models-heading">Models trained on it</h2>
      {dataset.models.length === 0 ? (
        <p className="admin-muted">No model has been trained on it yet.</p>
      ) : (
        <ul className="admin-history">
          {dataset.models.map((model) => (
            <li key={model.id}>
              <Link to={modelPath(model.id)}>Version {model.version}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Summary({ dataset, names }: { dataset: DatasetDetail; names: ShapeNames }) {
  return (
    <>
      <FactList
        facts={[
          ["Drawings", dataset.drawings.toLocaleString()],
          ["Withdrawn since", dataset.withdrawn.toLocaleString()],
          ["Created", new Date(dataset.createdAt).toLocaleString()],
          ["Made by", dataset.implicit ? "a training job" : "an admin"],
          ["Content hash", <code title="SHA-256 of its sorted label and drawing hashes">{dataset.contentHash}</code>],
        ]}
      />
      <div className="dataset-detail__tables">
        <CountTable caption="Drawings per shape" what="Shape" counts={dataset.perShape} label={shapeLabel(names)} />
      </div>
      <h2>Filter it was made with</h2>
      <FactList facts={filterFacts(dataset.filter, names)} />
    </>
  );
}

export function DatasetDetailPage({ id }: { id: string }) {
  const detail = useDatasetDetail(id);
  const loadShapes = useCallback((signal: AbortSignal) => listShapes(signal), []);
  const names = useShapeNames(loadShapes);
  const { dataset } = detail;
  const back = (
    <p>
      <Link to={DATASETS_PATH}>← All snapshots</Link>
    </p>
  );

  if (detail.deleted) {
    return (
      <section className="admin-section">
        {back}
        <p role="status">The snapshot was deleted.</p>
      </section>
    );
  }
  if (!dataset) {
    return (
      <section className="admin-section">
        {back}
        <ErrorDisplay error={detail.error} onRetry={detail.reload} title="The snapshot could not be loaded." />
        {!detail.error && <p className="admin-muted">Loading…</p>}
      </section>
    );
  }

  return (
    <section className="admin-section dataset-detail">
      {back}
      <h1>
        {dataset.name}
        {dataset.implicit && <span className="admin-badge dataset-table__implicit">made by a training job</span>}
      </h1>
      <div className="admin-toolbar" role="group" aria-label="Snapshot actions">
        <a className="button" href={datasetExportUrl(dataset.id, "ndjson")} download>
          Download (JSON Lines)
        </a>
        <a className="button" href={datasetExportUrl(dataset.id, "quickdraw")} download>
          Download (QuickDraw)
        </a>
        <a className="button" href={datasheetUrl(dataset.id)} download>
          Download datasheet
        </a>
        <Link className="button button--primary" to={trainFromDatasetPath(dataset.id)}>
          Train from this snapshot
        </Link>
        <DeleteSnapshot
          name={dataset.name}
          models={dataset.models}
          deleting={detail.deleting}
          inUse={detail.inUse}
          onDelete={(force) => void detail.remove(force)}
          onKeep={detail.dismiss}
        />
      </div>
      <ErrorDisplay error={detail.actionError} title="The snapshot was not deleted." />
      <Summary dataset={dataset} names={names} />
      <Datasheet dataset={dataset} />
      <TrainedModels dataset={dataset} />
    </section>
  );
}
