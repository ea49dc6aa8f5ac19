import { useCallback, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { classifyStrokes, type Classification } from "../api/inference";
import type { StrokeData } from "../api/strokes";

export type ClassifyState =
  | { status: "idle" }
  | { status: "classifying"; strokeData: StrokeData }
  /** `where` says who answered ("on the server", "in your browser"). */
  | { status: "done"; strokeData: StrokeData; classification: Classification; where?: string }
  | { status: "error"; strokeData: StrokeData; error: ApiError };

export function useClassify(send: typeof classifyStrokes = classifyStrokes, where?: string) {
  const [state, setState] = useState<ClassifyState>({ status: "idle" });
  const latest = useRef(0);

  const classify = useCallback(
    async (strokeData: StrokeData) => {
      const call = ++latest.current;
      setState({ status: "classifying", strokeData });
      try {
        const classification = await send(strokeData);
        if (call === latest.current) setState({ status: "done", strokeData, classification, where });
      } catch (reason) {
        if (call === latest.current) setState({ status: "error", strokeData, error: toApiError(reason) });
      }
    },
    [send, where],
  );

  const reset = useCallback(() => {
    latest.current += 1;
    setState({ status: "idle" });
  }, []);

  return { state, classify, reset };
}
