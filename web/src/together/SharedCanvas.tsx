import { useCallback, useEffect, useMemo, useRef, type PointerEvent as ReactPointerEvent } from "react";
import type * as Y from "yjs";
import type { Participant } from "../api/together";
import { clearContext, prepareContext } from "../canvas/render";
import { paintSharedStrokes } from "./paint";
import { readStrokes, ROOM_CANVAS, StrokePen, strokesOf, type PenSample } from "./sharedDrawing";

export interface SharedCanvasProps {
  doc: Y.Doc;
  participant: Participant;
  disabled?: boolean;
  placeholder?: string;
}

type Box = Pick<DOMRect, "left" | "top" | "width" | "height">;

/** A pointer sample in the room's logical coordinates. The time is wall-clock ms: the event
 * that carried the sample arrived now, a coalesced sample that much earlier. */
function sampleAt(sample: PointerEvent, event: PointerEvent, box: Box, now: number): PenSample {
  // A box of size 0 (no layout, e.g. in tests) maps CSS pixels 1:1.
  const scaleX = box.width > 0 ? ROOM_CANVAS.width / box.width : 1;
  const scaleY = box.height > 0 ? ROOM_CANVAS.height / box.height : 1;
  const earlier = Math.max(0, event.timeStamp - sample.timeStamp) || 0;
  return { x: (sample.clientX - box.left) * scaleX, y: (sample.clientY - box.top) * scaleY, time: now - earlier };
}

function coalesced(event: PointerEvent): PointerEvent[] {
  const samples = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
  return samples.length > 0 ? samples : [event];
}

/** The room's sticky note: everyone's strokes as they are drawn, each in its author's ink.
 * This page's pointer writes into the shared document, and the canvas paints from it alone,
 * so one's own strokes and the others' take the same path. */
export function SharedCanvas({ doc, participant, disabled = false, placeholder }: SharedCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const placeholderRef = useRef<HTMLParagraphElement>(null);
  const activePointer = useRef<number | null>(null);
  const box = useRef<Box>({ left: 0, top: 0, width: 0, height: 0 });
  const frame = useRef<number | null>(null);
  const pen = useMemo(() => new StrokePen(doc, participant), [doc, participant]);

  const paint = useCallback(() => {
    frame.current = null;
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

  // Points arrive far faster than frames: one paint per frame, whoever drew them.
  const schedulePaint = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = typeof requestAnimationFrame === "function" ? requestAnimationFrame(paint) : null;
    if (frame.current === null) paint();
  }, [paint]);

  useEffect(() => {
    const strokes = strokesOf(doc);
    paint();
    strokes.observeDeep(schedulePaint);
    return () => {
      strokes.unobserveDeep(schedulePaint);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [doc, paint, schedulePaint]);
  useEffect(() => {
    const element = canvasRef.current;
    if (!element || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(() => paint());
    observer.observe(element);
    return () => observer.disconnect();
  }, [paint]);
  useEffect(() => () => pen.end(), [pen]);

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (disabled || activePointer.current !== null) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    const element = event.currentTarget;
    element.setPointerCapture?.(event.pointerId);
    activePointer.current = event.pointerId;
    box.current = element.getBoundingClientRect();
    pen.begin(sampleAt(event.nativeEvent, event.nativeEvent, box.current, Date.now()));
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    event.preventDefault();
    const now = Date.now();
    const native = event.nativeEvent;
    pen.extend(coalesced(native).map((sample) => sampleAt(sample, native, box.current, now)));
  };

  const finish = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    activePointer.current = null;
    if (event.currentTarget.hasPointerCapture?.(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    pen.end();
  };

  return (
    <div className={["postit", "together__canvas", disabled ? "postit--disabled" : ""].filter(Boolean).join(" ")}>
      <canvas
        ref={canvasRef}
        className="postit__canvas"
        aria-label="Drawing canvas"
        role="img"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finish}
        onPointerCancel={finish}
        onLostPointerCapture={finish}
        onContextMenu={(event) => event.preventDefault()}
      />
      {placeholder && (
        <p className="postit__placeholder" aria-hidden="true" ref={placeholderRef}>
          {placeholder}
        </p>
      )}
    </div>
  );
}
