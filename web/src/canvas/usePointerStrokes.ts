import { useRef, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from "react";
import type { CanvasSize } from "../api/strokes";

/** A pointer position in the canvas's logical (drawing) pixels, with the event that carried
 * it: its `timeStamp` and `pointerType` are there for the caller's own sample format. */
export interface PointerPoint {
  x: number;
  y: number;
  event: PointerEvent;
}

export interface PointerStrokeOptions {
  /** The canvas's logical size: pointer positions are mapped onto it. */
  size: CanvasSize;
  /** No stroke starts while disabled; one already under way goes on to its end. */
  disabled: boolean;
  /** A pointer went down: a stroke starts at `point`. */
  onBegin: (point: PointerPoint) => void;
  /** The drawing pointer moved: every position since the last call, oldest first (the
   * coalesced ones where the browser has them), and the event that carried them all. */
  onExtend: (points: PointerPoint[], event: PointerEvent) => void;
  /** The drawing pointer went up, was cancelled, or lost its capture. */
  onEnd: () => void;
}

export interface PointerStrokeHandlers {
  onPointerDown: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  onPointerMove: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  onPointerUp: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  onPointerCancel: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  onLostPointerCapture: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  onContextMenu: (event: ReactMouseEvent<HTMLCanvasElement>) => void;
}

type Box = Pick<DOMRect, "left" | "top" | "width" | "height">;

function pointAt(event: PointerEvent, box: Box, size: CanvasSize): PointerPoint {
  // A box of size 0 (no layout, e.g. in tests) maps CSS pixels 1:1.
  const scaleX = box.width > 0 ? size.width / box.width : 1;
  const scaleY = box.height > 0 ? size.height / box.height : 1;
  return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY, event };
}

function coalesced(event: PointerEvent): PointerEvent[] {
  const samples = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
  return samples.length > 0 ? samples : [event];
}

/**
 * Turns the pointer events of a canvas into strokes, one pointer at a time: the first pointer
 * down (a mouse only with its main button) is captured and draws until it goes up, is
 * cancelled or loses its capture; any other pointer is ignored meanwhile. The element's box is
 * read once a stroke, when it starts. Spread the handlers on the `<canvas>`.
 */
export function usePointerStrokes({ size, disabled, onBegin, onExtend, onEnd }: PointerStrokeOptions): PointerStrokeHandlers {
  const activePointer = useRef<number | null>(null);
  const box = useRef<Box>({ left: 0, top: 0, width: 0, height: 0 });

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (disabled || activePointer.current !== null) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    const element = event.currentTarget;
    element.setPointerCapture?.(event.pointerId);
    activePointer.current = event.pointerId;
    box.current = element.getBoundingClientRect();
    onBegin(pointAt(event.nativeEvent, box.current, size));
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    event.preventDefault();
    const native = event.nativeEvent;
    onExtend(coalesced(native).map((sample) => pointAt(sample, box.current, size)), native);
  };

  const finish = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.pointerId !== activePointer.current) return;
    activePointer.current = null;
    if (event.currentTarget.hasPointerCapture?.(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    onEnd();
  };

  return {
    onPointerDown,
    onPointerMove,
    onPointerUp: finish,
    onPointerCancel: finish,
    onLostPointerCapture: finish,
    onContextMenu: (event) => event.preventDefault(),
  };
}
