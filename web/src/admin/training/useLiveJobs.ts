import { useCallback, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import * as api from "../../api/admin";
import { useAdminEvents } from "../live/AdminEvents";
import { applyJobEvent, mergeListed, upsertJob } from "./jobEvents";

/** The jobs a list answer gave, kept current by the live events: an epoch moves its job's
 * progress; a job not shown yet, or one just finished, is fetched on its own; lost events
 * fetch the list again, once. */
export function useLiveJobs(listed: api.TrainingJob[] | undefined, reloadList: () => void) {
  const [jobs, setJobs] = useState<api.TrainingJob[] | undefined>(listed);
  const current = useRef(jobs);
  // Jobs of another kind (re-scoring, scans): their epochs are not shown, nor fetched again.
  const otherKinds = useRef(new Set<string>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);

  const show = useCallback((next: api.TrainingJob[]) => {
    current.current = next;
    setJobs(next);
  }, []);

  useEffect(() => {
    if (listed) show(mergeListed(listed, current.current ?? []));
  }, [listed, show]);

  const upsert = useCallback((job: api.TrainingJob) => show(upsertJob(current.current ?? [], job)), [show]);

  const fetchOne = useCallback(
    (id: string) => {
      api.fetchTrainingJob(id).then(
        (job: api.TrainingJob & { kind?: string }) => {
          if (job.kind !== undefined && job.kind !== "train") otherKinds.current.add(id);
          else if (mounted.current) upsert(job);
        },
        () => undefined, // the next event or list answer tells again; a 401 signs out on its own
      );
    },
    [upsert],
  );

  useAdminEvents((event) => {
    if (event.type === "resync") {
      reloadList();
      return;
    }
    if (!event.type.startsWith("job.")) return;
    const { jobId, kind } = event.data as { jobId: string; kind?: string };
    if (kind !== undefined && kind !== "train") otherKinds.current.add(jobId);
    if (otherKinds.current.has(jobId)) return;
    const outcome = applyJobEvent(current.current ?? [], event);
    // Each epoch is drawn as its own step, even when messages arrive bunched together.
    if (outcome.jobs !== current.current) flushSync(() => show(outcome.jobs));
    if (outcome.fetchJob) fetchOne(outcome.fetchJob);
  });

  return { jobs, upsert };
}
