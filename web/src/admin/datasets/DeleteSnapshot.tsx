import { useEffect, useRef, useState } from "react";
import type { ApiError } from "../../api/client";
import type { DatasetModelRef } from "../../api/datasets";
import { Link } from "../../router/router";
import { modelPath } from "../models/modelLinks";

export interface DeleteSnapshotProps {
  name: string;
  /** The models trained on it, as the snapshot was last read. */
  models: DatasetModelRef[];
  deleting: boolean;
  /** The server's refusal while a model trained on it exists. */
  inUse: ApiError | null;
  onDelete: (force: boolean) => void;
  onKeep: () => void;
}

/** Delete after a confirmation; when models were trained on it, say which and offer to delete anyway. */
export function DeleteSnapshot({ name, models, deleting, inUse, onDelete, onKeep }: DeleteSnapshotProps) {
  const [confirming, setConfirming] = useState(false);
  // The refusal is a dialog: its safe choice takes the focus.
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (inUse) keepButton.current?.focus();
  }, [inUse]);
  const keep = () => {
    setConfirming(false);
    onKeep();
  };

  if (inUse) {
    return (
      <div className="admin-confirm dataset-in-use" role="alertdialog" aria-labelledby="dataset-in-use-title" aria-describedby="dataset-in-use-text">
        <p id="dataset-in-use-title" className="error-display__title">
          The snapshot is in use.
        </p>
        <p id="dataset-in-use-text">
          {models.length > 0 ? (
            <>
              {models.length === 1 ? "Model " : "Models "}
              {models.map((model, i) => (
                <span key={model.id}>
                  {i > 0 && ", "}
                  <Link to={modelPath(model.id)}>v{model.version}</Link>
                </span>
              ))}{" "}
              {models.length === 1 ? "was" : "were"} trained on it.
            </>
          ) : (
            inUse.message
          )}{" "}
          Deleting it anyway keeps the models, but they will no longer say which drawings they were trained on.
        </p>
        <button type="button" className="button button--danger" disabled={deleting} aria-busy={deleting} onClick={() => onDelete(true)}>
          Delete anyway
        </button>
        <button ref={keepButton} type="button" className="button button--quiet" onClick={keep}>
          Keep it
        </button>
      </div>
    );
  }
  if (confirming) {
    return (
      <span className="admin-confirm" role="group" aria-label="Confirm deletion">
        <span>Delete the snapshot “{name}” for good?</span>
        <button type="button" className="button button--danger" disabled={deleting} aria-busy={deleting} onClick={() => onDelete(false)}>
          Yes, delete
        </button>
        <button type="button" className="button button--quiet" onClick={keep}>
          No, keep it
        </button>
      </span>
    );
  }
  return (
    <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
      Delete
    </button>
  );
}
