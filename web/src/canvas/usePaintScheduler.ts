import { useCallback, useEffect, useRef, type RefObject } from "react";

/**
 * Paints a canvas at most once a frame: points arrive far faster than frames. Returns
 * `schedulePaint`, which asks for one paint at the next frame (at once where there are no
 * frames, as in tests). The canvas is painted again at once whenever the element resizes.
 *
 * A frame still pending when `paint` changes, or when the component goes, is dropped, since
 * it would paint with the old `paint`: the caller paints anew in an effect on `paint`.
 */
export function usePaintScheduler(canvasRef: RefObject<HTMLCanvasElement | null>, paint: () => void): () => void {
  const frame = useRef<number | null>(null);

  const schedulePaint = useCallback(() => {
    if (frame.current !== null) return;
    if (typeof requestAnimationFrame !== "function") {
      paint();
      return;
    }
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      paint();
    });
  }, [paint]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    },
    [paint],
  );
  useEffect(() => {
    const element = canvasRef.current;
    if (!element || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(() => paint());
    observer.observe(element);
    return () => observer.disconnect();
  }, [canvasRef, paint]);

  return schedulePaint;
}
