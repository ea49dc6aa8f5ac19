import { fireEvent } from "@testing-library/react";

/** Draw one stroke through the given client points with a mouse. */
export function drawStroke(canvas: Element, points: Array<[number, number]>, pointerType = "mouse"): void {
  const at = ([clientX, clientY]: [number, number]) => ({ clientX, clientY, pointerId: 1, pointerType, button: 0 });
  fireEvent.pointerDown(canvas, at(points[0]));
  for (const point of points.slice(1)) fireEvent.pointerMove(canvas, at(point));
  fireEvent.pointerUp(canvas, at(points[points.length - 1]));
}
