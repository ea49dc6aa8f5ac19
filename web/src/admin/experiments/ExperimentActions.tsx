import { useEffect, useRef, useState } from "react";
import type { ExperimentAction } from "./useExperiment";

export interface ExperimentActionsProps {
  controlVersion: number;
  treatmentVersion: number;
  acting: ExperimentAction | null;
  onAct: (action: ExperimentAction) => void;
}

const QUESTION: Record<ExperimentAction, (control: number, treatment: number) => string> = {
  stop: (control) => `Stop the experiment? All traffic goes back to v${control}, which stays active.`,
  promote: (control, treatment) => `Make v${treatment} the active model in place of v${control}, and end the experiment?`,
};

const CONFIRM: Record<ExperimentAction, string> = { stop: "Yes, stop", promote: "Yes, promote" };

/** Stop, or promote the treatment, each after a confirmation whose safe answer takes the focus. */
export function ExperimentActions({ controlVersion, treatmentVersion, acting, onAct }: ExperimentActionsProps) {
  const [confirming, setConfirming] = useState<ExperimentAction | null>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);

  if (confirming) {
    return (
      <div className="admin-confirm experiment-actions" role="group" aria-label={confirming === "stop" ? "Confirm stopping" : "Confirm promotion"}>
        <span>{QUESTION[confirming](controlVersion, treatmentVersion)}</span>
        <button
          type="button"
          className={confirming === "stop" ? "button button--danger" : "button button--primary"}
          disabled={acting !== null}
          aria-busy={acting === confirming}
          onClick={() => {
            onAct(confirming);
            setConfirming(null);
          }}
        >
          {CONFIRM[confirming]}
        </button>
        <button ref={keep} type="button" className="button button--quiet" onClick={() => setConfirming(null)}>
          No, keep it running
        </button>
      </div>
    );
  }
  return (
    <div className="experiment-actions">
      <button type="button" className="button" disabled={acting !== null} aria-busy={acting === "stop"} onClick={() => setConfirming("stop")}>
        Stop
      </button>
      <button type="button" className="button button--primary" disabled={acting !== null} aria-busy={acting === "promote"} onClick={() => setConfirming("promote")}>
        Promote treatment
      </button>
    </div>
  );
}
