import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import {
  answerVerification,
  fetchNextVerification,
  fetchVerificationPolicy,
  type VerificationAnswer,
  type VerificationTask,
} from "../api/quality";

export interface VerificationTurn {
  /** The drawing to verify this turn; null on a drawing turn. */
  task: VerificationTask | null;
  answering: boolean;
  error: ApiError | null;
  /** Call when a turn ends: every `every`-th turn fetches someone else's drawing to verify. */
  afterTurn: () => void;
  /** Send the answer (again, after a failure: the server keeps one answer per task). */
  answer: (answer: VerificationAnswer) => Promise<void>;
  /** Leave the verification turn without answering. */
  skip: () => void;
}

/**
 * One turn in `every` (the server's policy) shows someone else's drawing instead of a prompt.
 * With no policy, or nothing waiting (204), the game simply goes on drawing.
 */
export function useVerificationTurn(sessionId: string): VerificationTurn {
  const [every, setEvery] = useState(0);
  const [task, setTask] = useState<VerificationTask | null>(null);
  const [answering, setAnswering] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const turns = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchVerificationPolicy(controller.signal)
      .then((policy) => setEvery(Math.max(0, Math.floor(policy.every))))
      .catch(() => setEvery(0)); // no policy: drawing turns only
    return () => controller.abort();
  }, []);

  const afterTurn = useCallback(() => {
    turns.current += 1;
    if (every <= 0 || (turns.current + 1) % every !== 0) return;
    fetchNextVerification(sessionId)
      .then((next) => setTask(next))
      .catch(() => setTask(null)); // a verification turn is a bonus: never in the way of drawing
  }, [every, sessionId]);

  const finish = useCallback(() => {
    turns.current += 1; // the verification was a turn too
    setTask(null);
    setError(null);
  }, []);

  const answer = useCallback(
    async (choice: VerificationAnswer) => {
      if (!task || answering) return;
      setAnswering(true);
      setError(null);
      try {
        await answerVerification(sessionId, task.id, choice);
        finish();
      } catch (reason) {
        setError(toApiError(reason));
      } finally {
        setAnswering(false);
      }
    },
    [task, answering, sessionId, finish],
  );

  return { task, answering, error, afterTurn, answer, skip: finish };
}
