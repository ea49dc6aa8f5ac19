import { useCallback, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { submitDrawing, type DrawingCreated, type DrawingSubmission } from "../api/collection";
import { idempotencyKey } from "./session";

export type SubmitState =
  | { status: "idle" }
  | { status: "submitting" }
  | { status: "success"; result: DrawingCreated }
  | { status: "error"; error: ApiError };

export interface UseDrawingSubmitOptions {
  sessionId: string;
  onSuccess?: (result: DrawingCreated) => void;
  /** The request; replaced in tests. */
  send?: typeof submitDrawing;
  now?: () => number;
}

export interface DrawingSubmitter {
  state: SubmitState;
  /** Send a drawing; the same drawing sent again after a failure keeps its key. */
  submit: (drawing: DrawingSubmission) => Promise<DrawingCreated | undefined>;
  /** Send the last failed drawing again, with the same idempotency key. */
  retry: () => Promise<DrawingCreated | undefined>;
  reset: () => void;
}

interface Attempt {
  drawing: DrawingSubmission;
  fingerprint: string;
  key: string;
}

const fingerprintOf = (drawing: DrawingSubmission) => `${drawing.shapeId}\n${JSON.stringify(drawing.strokeData)}`;

/** idle → submitting → success | error; error → (retry) submitting with the same key. */
export function useDrawingSubmit({ sessionId, onSuccess, send = submitDrawing, now = Date.now }: UseDrawingSubmitOptions): DrawingSubmitter {
  const [state, setState] = useState<SubmitState>({ status: "idle" });
  const unsent = useRef<Attempt | null>(null);
  const inFlight = useRef(false);
  const onSuccessRef = useRef(onSuccess);
  onSuccessRef.current = onSuccess;

  const run = useCallback(
    async (attempt: Attempt) => {
      if (inFlight.current) return undefined;
      inFlight.current = true;
      unsent.current = attempt;
      setState({ status: "submitting" });
      try {
        const result = await send(attempt.drawing, { sessionId, idempotencyKey: attempt.key });
        unsent.current = null;
        setState({ status: "success", result });
        onSuccessRef.current?.(result);
        return result;
      } catch (error) {
        setState({ status: "error", error: toApiError(error) });
        return undefined;
      } finally {
        inFlight.current = false;
      }
    },
    [send, sessionId],
  );

  const submit = useCallback(
    (drawing: DrawingSubmission) => {
      const fingerprint = fingerprintOf(drawing);
      const previous = unsent.current;
      const attempt =
        previous && previous.fingerprint === fingerprint
          ? previous
          : { drawing, fingerprint, key: idempotencyKey(sessionId, drawing.shapeId, now()) };
      return run(attempt);
    },
    [run, sessionId, now],
  );

  const retry = useCallback(() => (unsent.current ? run(unsent.current) : Promise.resolve(undefined)), [run]);

  const reset = useCallback(() => {
    if (inFlight.current) return;
    unsent.current = null;
    setState({ status: "idle" });
  }, []);

  return { state, submit, retry, reset };
}
