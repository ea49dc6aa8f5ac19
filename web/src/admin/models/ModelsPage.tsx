import { useLayoutEffect, useRef } from "react";
import { listShapes } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useShapeNames } from "../../common/shapeNames";
import { navigate, useSearch } from "../../router/router";
import { formatPercent } from "../charts/scale";
import { newExperimentPath } from "../experiments/experimentLinks";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { EvalSetChart } from "./EvalSetChart";
import { EvalSetsSection } from "./EvalSetsSection";
import { modelPath, modelRowId } from "./modelLinks";
import { ModelTable } from "./ModelTable";
import { PerClassTable } from "./PerClassTable";
import { useEvalSets } from "./useEvalSets";
import { useModels } from "./useModels";

export function ModelsPage() {
  const { models, error, reload, activate, activating, rescore, rescoring, actionError } = useModels();
  const evalSets = useEvalSets(reload);
  const names = useShapeNames(listShapes);
  // The model shown is in the URL, so a job's link, a reload and Back show the same one.
  const chosen = new URLSearchParams(useSearch()).get("model") ?? undefined;
  const linked = models?.find((m) => m.id === chosen);
  const selected = linked ?? models?.find((m) => m.active) ?? models?.[0];
  const choose = (id: string) => navigate(modelPath(id), { replace: true });

  // Bring the row a link named into view, once: a row picked here is in view already. A
  // layout effect: the row is scrolled to as it appears, before anything is painted.
  const scrolled = useRef(false);
  const linkedId = linked?.id;
  useLayoutEffect(() => {
    if (!linkedId || scrolled.current) return;
    scrolled.current = true;
    document.getElementById(modelRowId(linkedId))?.scrollIntoView?.({ block: "nearest" });
  }, [linkedId]);

  return (
    <section className="admin-section">
      <h1>Models</h1>
      <ErrorDisplay error={error} onRetry={reload} title="The models could not be loaded." />
      <ErrorDisplay error={actionError} title="The model was not changed." />
      {!models && !error && <p className="admin-muted">Loading…</p>}
      {models && models.length === 0 && <p>No model has been trained yet; start one on the Training page.</p>}
      {models && chosen && !linked && <p className="admin-hint admin-hint--warn">That model is no longer listed; showing {selected ? `version ${selected.version}` : "none"}.</p>}
      {models && models.length > 0 && (
        <ModelTable
          models={models}
          selectedId={selected?.id}
          activating={activating}
          rescoring={rescoring}
          onSelect={choose}
          onActivate={(id) => void activate(id)}
          onRescore={(id) => void rescore(id)}
          onStartTest={(id) => navigate(newExperimentPath(id))}
        />
      )}
      {models && <EvalSetChart models={models} />}
      {selected && (
        <article className="model-detail" aria-label={`Model version ${selected.version}`}>
          <h2>
            Version {selected.version} · {formatPercent(selected.accuracy)}
          </h2>
          <p className="admin-muted">
            {selected.classes.length} shapes · {selected.datasetSize.toLocaleString()} drawings
            {selected.metrics.train_size !== undefined && ` (${selected.metrics.train_size} train / ${selected.metrics.validation_size} validation)`}
            {selected.metrics.inputs && ` · reads ${selected.metrics.inputs.includes("pen_path") ? "the drawing and the pen's path" : "the drawing"}`}
            {selected.activatedAt && ` · last activated ${new Date(selected.activatedAt).toLocaleString()}`}
          </p>
          {(selected.evaluations ?? []).length > 0 && (
            <ul className="model-detail__evaluations" aria-label="Accuracy on evaluation sets">
              {selected.evaluations.map((evaluation) => (
                <li key={evaluation.evalSet}>
                  {formatPercent(evaluation.accuracy)} on {evaluation.evalSet} ({evaluation.drawings.toLocaleString()} real drawings),
                  beside {formatPercent(selected.accuracy)} validation accuracy
                </li>
              ))}
            </ul>
          )}
          {selected.metrics.per_class && <PerClassTable classes={selected.classes} perClass={selected.metrics.per_class} names={names} />}
          {selected.metrics.confusion_matrix && <ConfusionMatrix classes={selected.classes} matrix={selected.metrics.confusion_matrix} names={names} />}
        </article>
      )}
      <EvalSetsSection
        sets={evalSets.sets}
        error={evalSets.error}
        actionError={evalSets.actionError}
        busy={evalSets.busy}
        onReload={evalSets.reload}
        onAdd={evalSets.add}
        onRemove={(name) => void evalSets.remove(name)}
      />
    </section>
  );
}
