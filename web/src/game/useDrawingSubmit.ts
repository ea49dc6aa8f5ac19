import { useCallback, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { submitDrawing, type DrawingCreated, type DrawingSubmission } from "../api/collection";
import { encodeStrokeData, goesDirect, isDirectUploadUnavailable, submitByUpload } from "../api/uploads";
import { idempotencyKey } from "./session";
import { useGameSettings } from "./useGameSettings";

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
  /** The direct upload's requests; replaced in tests. */
  upload?: typeof submitByUpload;
  /** Stroke JSON of at least this many bytes goes by direct upload (0: never); the
   * operator's setting (GET /api/game/settings) unless given. */
  directUploadBytes?: number;
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
  /** The strokeData JSON's bytes when the drawing goes by direct upload; chosen once, so
   * that every try under its key goes the same way. */
  direct: Uint8Array<ArrayBuffer> | null;
}

/** idle → submitting → success | error; error → (retry) submitting with the same key.
 * A drawing is sent inline, or by direct upload once its JSON reaches `directUploadBytes`;
 * either way a retry, or the same drawing submitted again, keeps the key. */
export function useDrawingSubmit({
  sessionId,
  onSuccess,
  send = submitDrawing,
  upload = submitByUpload,
  directUploadBytes,
  now = Date.now,
}: UseDrawingSubmitOptions): DrawingSubmitter {
  const settings = useGameSettings();
  const threshold = directUploadBytes ?? settings.directUploadBytes;
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
        const contributor = { sessionId, idempotencyKey: attempt.key };
        let result: DrawingCreated;
        try {
          result = attempt.direct
            ? await upload(attempt.drawing.shapeId, attempt.direct, contributor)
            : await send(attempt.drawing, contributor);
        } catch (error) {
          // A server that cannot hand out uploads takes the drawing inline, under the same key.
          if (!attempt.direct || !isDirectUploadUnavailable(error)) throw error;
          attempt.direct = null;
          result = await send(attempt.drawing, contributor);
        }
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
    [send, upload, sessionId],
  );

  const submit = useCallback(
    (drawing: DrawingSubmission) => {
      const text = JSON.stringify(drawing.strokeData);
      const fingerprint = `${drawing.shapeId}\n${text}`;
      const previous = unsent.current;
      if (previous && previous.fingerprint === fingerprint) return run(previous);
      const bytes = threshold > 0 ? encodeStrokeData(text) : null;
      return run({
        drawing,
        fingerprint,
        key: idempotencyKey(sessionId, drawing.shapeId, now()),
        direct: bytes && goesDirect(bytes.byteLength, threshold) ? bytes : null,
      });
    },
    [run, sessionId, now, threshold],
  );

  const retry = useCallback(() => (unsent.current ? run(unsent.current) : Promise.resolve(undefined)), [run]);

  const reset = useCallback(() => {
    if (inFlight.current) return;
    unsent.current = null;
    setState({ status: "idle" });
  }, []);

  return { state, submit, retry, reset };
}
