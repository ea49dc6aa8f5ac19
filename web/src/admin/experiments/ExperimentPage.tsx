import { armOf } from "../../api/experiments";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { Link } from "../../router/router";
import { ArmsTable } from "./ArmsTable";
import { ExperimentActions } from "./ExperimentActions";
import { EXPERIMENTS_PATH } from "./experimentLinks";
import { STATUS_TEXT, differenceText, verdictText } from "./experimentText";
import { IntervalChart } from "./IntervalChart";
import { PairedTable } from "./PairedTable";
import { useExperiment } from "./useExperiment";

const when = (iso: string) => new Date(iso).toLocaleString();

/** One experiment: its arms side by side, the comparison and its verdict, live while it runs. */
export function ExperimentPage({ id }: { id: string }) {
  const { experiment, error, reload, act, acting, actionError } = useExperiment(id);
  const control = experiment && armOf(experiment, "control");
  const treatment = experiment && armOf(experiment, "treatment");

  return (
    <section className="admin-section experiment">
      <p>
        <Link to={EXPERIMENTS_PATH}>All experiments</Link>
      </p>
      <ErrorDisplay error={error} onRetry={reload} title="The experiment could not be loaded." />
      {!experiment && !error && <p className="admin-muted">Loading…</p>}
      {experiment && (
        <>
          <h1>
            {experiment.name}{" "}
            <span className={`admin-badge admin-badge--${experiment.status === "promoted" ? "completed" : experiment.status}`}>
              {STATUS_TEXT[experiment.status]}
            </span>
          </h1>
          <p className="admin-muted">
            {control && treatment && `v${treatment.modelVersion} (treatment) against v${control.modelVersion} (control) · `}
            treatment gets {Math.round(experiment.share * 100)}% of the traffic · started {when(experiment.startedAt)}
            {experiment.endedAt && ` · ended ${when(experiment.endedAt)}`}
          </p>
          <ErrorDisplay error={actionError} title="The experiment was not changed." />
          {experiment.status === "running" && control && treatment && (
            <ExperimentActions controlVersion={control.modelVersion} treatmentVersion={treatment.modelVersion} acting={acting} onAct={(action) => void act(action)} />
          )}
          <div className="experiment__arms">
            <ArmsTable arms={experiment.arms} />
            <IntervalChart arms={experiment.arms} />
          </div>
          <h2>Verdict</h2>
          <p className={`experiment__verdict experiment__verdict--${experiment.comparison.decision.replace(/ /g, "-")}`}>
            {verdictText(experiment)}
          </p>
          <p>{differenceText(experiment)}</p>
          <p className="admin-muted">Method: {experiment.comparison.method}</p>
          {experiment.paired.drawings > 0 && <PairedTable paired={experiment.paired} />}
        </>
      )}
    </section>
  );
}
