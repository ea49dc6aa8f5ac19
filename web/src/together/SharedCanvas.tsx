import { useCallback, useEffect, useMemo, useRef } from "react";
import type * as Y from "yjs";
import type { Participant } from "../api/together";
import { clearContext, prepareContext } from "../canvas/render";
import { usePaintScheduler } from "../canvas/usePaintScheduler";
import { usePointerStrokes, type PointerPoint } from "../canvas/usePointerStrokes";
import { paintSharedStrokes } from "./paint";
import { readStrokes, ROOM_CANVAS, StrokePen, strokesOf, type PenSample } from "./sharedDrawing";

export interface SharedCanvasProps {
  doc: Y.Doc;
  participant: Participant;
  disabled?: boolean;
  placeholder?: string;
}

/** A pointer sample with a wall-clock time in ms: the event that carried the sample arrived
 * `now`, a coalesced sample that much earlier. */
function sampleAt({ x, y, event: sample }: PointerPoint, event: PointerEvent, now: number): PenSample {
  const earlier = Math.max(0, event.timeStamp - sample.timeStamp) || 0;
  return { x, y, time: now - earlier };
}

/** The room's sticky note: everyone's strokes as they are drawn, each in its author's ink.
 * This page's pointer writes into the shared document, and the canvas paints from it alone,
 * so one's own strokes and the others' take the same path. */
export function SharedCanvas({ doc, participant, disabled = false, placeholder }: SharedCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const placeholderRef = useRef<HTMLParagraphElement>(null);
  const pen = useMemo(() => new StrokePen(doc, participant), [doc, participant]);

  const paint = useCallback(() => {
    const strokes = readStrokes(doc);
    if (placeholderRef.current) placeholderRef.current.hidden = strokes.length > 0;
    const element = canvasRef.current;
    if (!element) return;
    element.dataset.strokes = String(strokes.length);
    const context = prepareContext(element, ROOM_CANVAS);
    if (!context) return;
    clearContext(context, ROOM_CANVAS);
    paintSharedStrokes(context, strokes);
  }, [doc]);
  // Whoever drew them, changes to the document are painted once a frame.
  const schedulePaint = usePaintScheduler(canvasRef, paint);

  useEffect(() => {
    const strokes = strokesOf(doc);
    paint();
    strokes.observeDeep(schedulePaint);
    return () => strokes.unobserveDeep(schedulePaint);
  }, [doc, paint, schedulePaint]);
  useEffect(() => () => pen.end(), [pen]);

  const pointer = usePointerStrokes({
    size: ROOM_CANVAS,
    disabled,
    onBegin: (point) => pen.begin(sampleAt(point, point.event, Date.now())),
    onExtend: (points, event) => {
      const now = Date.now();
      pen.extend(points.map((point) => sampleAt(point, event, now)));
    },
    onEnd: () => pen.end(),
  });

  return (
    <div className={["postit", "together__canvas", disabled ? "postit--disabled" : ""].filter(Boolean).join(" ")}>
      <canvas
        ref={canvasRef}
        className="postit__canvas"
        aria-label="Drawing canvas"
        role="img"
        {...pointer}
      />
      {placeholder && (
        <p className="postit__placeholder" aria-hidden="true" ref={placeholderRef}>
          {placeholder}
        </p>
      )}
    </div>
  );
}
