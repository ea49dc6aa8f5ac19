import { ErrorDisplay } from "../../common/ErrorDisplay";
import { Link, useSearch } from "../../router/router";
import { experimentPath } from "./experimentLinks";
import { ExperimentForm } from "./ExperimentForm";
import { ExperimentTable } from "./ExperimentTable";
import { useExperiments } from "./useExperiments";

/** The experiments, and the form that starts one (set to a model when a row's "Start A/B
 * test" led here). */
export function ExperimentsPage() {
  const { experiments, error, reload, models, modelsError, reloadModels, create, creating, createError } = useExperiments();
  const asked = new URLSearchParams(useSearch()).get("treatment") ?? undefined;
  const treatment = models?.find((model) => model.id === asked && !model.active)?.id;
  const running = experiments?.find((experiment) => experiment.status === "running");

  return (
    <section className="admin-section">
      <h1>Experiments</h1>
      <p className="admin-muted">
        An A/B test sends a share of the classify traffic to another model version beside the active one, until the labels show
        which names more drawings right.
      </p>
      {running && (
        <p className="admin-hint">
          <Link to={experimentPath(running.id)}>{running.name}</Link> is running; stop it or promote its treatment before starting
          another.
        </p>
      )}
      {models && asked && !treatment && <p className="admin-hint admin-hint--warn">That model cannot be tested: it is the active one, or no longer listed.</p>}
      <ErrorDisplay error={modelsError} onRetry={reloadModels} title="The models could not be loaded." />
      {models && <ExperimentForm key={treatment ?? ""} models={models} treatmentModelId={treatment} creating={creating} error={createError} onCreate={create} />}
      <h2>All experiments</h2>
      <ErrorDisplay error={error} onRetry={reload} title="The experiments could not be loaded." />
      {!experiments && !error && <p className="admin-muted">Loading…</p>}
      {experiments && experiments.length === 0 && <p>No experiment has been started yet.</p>}
      {experiments && experiments.length > 0 && <ExperimentTable experiments={experiments} />}
    </section>
  );
}
