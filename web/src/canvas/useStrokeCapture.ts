import { useCallback, useMemo, useReducer, useRef } from "react";
import type { CanvasSize, Device, Stroke, StrokeData } from "../api/strokes";
import { StrokeRecorder, type RawSample } from "./recorder";

export const DEFAULT_CANVAS: CanvasSize = { width: 400, height: 400 };

export interface StrokeCapture {
  /** The drawing's logical size: the coordinate space of every captured point. */
  canvas: CanvasSize;
  /** Finished strokes, a new array whenever they change. */
  strokes: readonly Stroke[];
  device: Device;
  isEmpty: boolean;
  /** The live recorder; the canvas feeds it while a stroke is being drawn. */
  recorder: StrokeRecorder;
  begin(sample: RawSample, device: Device): void;
  extend(samples: readonly RawSample[]): void;
  end(): void;
  undo(): void;
  clear(): void;
  toStrokeData(): StrokeData | null;
}

/**
 * Holds one drawing. Moves within a stroke only touch the recorder (the canvas repaints
 * itself); React re-renders when a stroke begins or ends, or on undo and clear.
 */
export function useStrokeCapture(canvas: CanvasSize = DEFAULT_CANVAS): StrokeCapture {
  const recorderRef = useRef<StrokeRecorder | null>(null);
  recorderRef.current ??= new StrokeRecorder();
  const recorder = recorderRef.current;
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const { width, height } = canvas;

  const begin = useCallback((sample: RawSample, device: Device) => {
    recorder.begin(sample, device);
    bump();
  }, [recorder]);
  const extend = useCallback((samples: readonly RawSample[]) => recorder.extend(samples), [recorder]);
  const end = useCallback(() => {
    recorder.end();
    bump();
  }, [recorder]);
  const undo = useCallback(() => {
    recorder.undo();
    bump();
  }, [recorder]);
  const clear = useCallback(() => {
    recorder.clear();
    bump();
  }, [recorder]);
  const toStrokeData = useCallback(() => recorder.toStrokeData({ width, height }), [recorder, width, height]);

  return useMemo(() => {
    const strokes = recorder.finishedStrokes;
    return {
      canvas: { width, height },
      strokes,
      device: recorder.device,
      isEmpty: strokes.length === 0,
      recorder,
      begin,
      extend,
      end,
      undo,
      clear,
      toStrokeData,
    };
    // `version` changes whenever the recorder's finished strokes do.
  }, [version, recorder, width, height, begin, extend, end, undo, clear, toStrokeData]);
}
