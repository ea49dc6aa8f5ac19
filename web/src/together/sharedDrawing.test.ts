import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { paintSharedStrokes } from "./paint";
import { readRoom, readStrokes, StrokePen, strokesOf, undoLastStroke } from "./sharedDrawing";

const ME = { id: "p1", color: "#d62828" };
const FRIEND = { id: "p2", color: "#1d3557" };

/** Two browsers' documents, kept in step as the room's server would. */
function connectedDocs(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin !== "remote") Y.applyUpdate(b, update, "remote");
  });
  b.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin !== "remote") Y.applyUpdate(a, update, "remote");
  });
  return [a, b];
}

function draw(pen: StrokePen, points: Array<[number, number]>, start = 1_700_000_000_000): void {
  pen.begin({ x: points[0][0], y: points[0][1], time: start });
  for (const [index, [x, y]] of points.slice(1).entries()) pen.extend([{ x, y, time: start + 10 * (index + 1) }]);
  pen.end();
}

describe("StrokePen", () => {
  it("shows a stroke to the others while it is drawn, point batch by point batch", () => {
    const [mine, theirs] = connectedDocs();
    const pen = new StrokePen(mine, ME);

    pen.begin({ x: 10, y: 20, time: 1000 });
    expect(readStrokes(theirs)).toEqual([
      { id: `${mine.clientID}-1`, author: "p1", color: "#d62828", points: [[10, 20, 1000]] },
    ]);

    pen.extend([
      { x: 11.111, y: 21, time: 1008 },
      { x: 11.111, y: 21, time: 1012 },
      { x: 30, y: 40, time: 1016 },
    ]);
    // Rounded to 0.01, and a sample that does not move is dropped.
    expect(readStrokes(theirs)[0].points).toEqual([
      [10, 20, 1000],
      [11.11, 21, 1008],
      [30, 40, 1016],
    ]);
  });

  it("keeps points on the 500×500 canvas and times from going backwards", () => {
    const doc = new Y.Doc();
    const pen = new StrokePen(doc, ME);
    pen.begin({ x: -5, y: 600, time: 2000 });
    pen.extend([{ x: 250, y: 250, time: 1990 }]);
    expect(readStrokes(doc)[0].points).toEqual([
      [0, 500, 2000],
      [250, 250, 2000],
    ]);
  });

  it("numbers its strokes with the document's client id", () => {
    const doc = new Y.Doc();
    const pen = new StrokePen(doc, ME);
    draw(pen, [[1, 1], [2, 2]]);
    draw(pen, [[3, 3], [4, 4]]);
    expect(readStrokes(doc).map((stroke) => stroke.id)).toEqual([`${doc.clientID}-1`, `${doc.clientID}-2`]);
  });

  it("stops writing to a stroke that was removed while it was drawn", () => {
    const doc = new Y.Doc();
    const pen = new StrokePen(doc, ME);
    pen.begin({ x: 1, y: 1, time: 1 });
    undoLastStroke(doc, ME.id);
    pen.extend([{ x: 5, y: 5, time: 2 }]);
    expect(pen.isDrawing).toBe(false);
    expect(readStrokes(doc)).toEqual([]);
  });
});

describe("undoLastStroke", () => {
  it("removes only my latest stroke, never a stroke of someone else's drawn after it", () => {
    const [mine, theirs] = connectedDocs();
    const myPen = new StrokePen(mine, ME);
    const theirPen = new StrokePen(theirs, FRIEND);
    draw(myPen, [[1, 1], [2, 2]]);
    draw(myPen, [[3, 3], [4, 4]]);
    draw(theirPen, [[5, 5], [6, 6]]);

    expect(undoLastStroke(mine, ME.id)).toBe(true);
    expect(readStrokes(theirs).map((stroke) => [stroke.author, stroke.points[0][0]])).toEqual([
      ["p1", 1],
      ["p2", 5],
    ]);

    expect(undoLastStroke(mine, ME.id)).toBe(true);
    expect(undoLastStroke(mine, ME.id)).toBe(false);
    expect(readStrokes(mine).map((stroke) => stroke.author)).toEqual(["p2"]);
  });
});

describe("readStrokes", () => {
  it("gives each stroke its author's colour, and plain ink for a colour that is not hex", () => {
    const doc = new Y.Doc();
    draw(new StrokePen(doc, FRIEND), [[1, 1], [2, 2]]);
    draw(new StrokePen(doc, { id: "p3", color: "url(javascript:alert(1))" }), [[3, 3], [4, 4]]);
    expect(readStrokes(doc).map((stroke) => stroke.color)).toEqual(["#1d3557", "#1f2a44"]);
  });

  it("skips entries that are not strokes and points that are not [x, y, t]", () => {
    const doc = new Y.Doc();
    const strokes = strokesOf(doc);
    const odd = new Y.Map<unknown>();
    const points = new Y.Array<unknown>();
    strokes.push([odd]);
    odd.set("author", "p2");
    odd.set("color", "#1d3557");
    odd.set("points", points);
    points.push([[1, 2, 3], [1, "2", 3], [4, 5]]);
    expect(readStrokes(doc)).toEqual([{ id: "", author: "p2", color: "#1d3557", points: [[1, 2, 3]] }]);
  });
});

describe("paintSharedStrokes", () => {
  it("paints another participant's stroke in that participant's colour", () => {
    const [mine, theirs] = connectedDocs();
    draw(new StrokePen(mine, ME), [[1, 1], [2, 2]]);
    draw(new StrokePen(theirs, FRIEND), [[5, 5], [9, 9]]);

    const inked: string[] = [];
    const context = {
      strokeStyle: "",
      lineWidth: 0,
      lineCap: "",
      lineJoin: "",
      beginPath() {},
      moveTo() {},
      lineTo() {},
      quadraticCurveTo() {},
      stroke() {
        inked.push(this.strokeStyle);
      },
    };
    paintSharedStrokes(context as unknown as CanvasRenderingContext2D, readStrokes(mine));
    expect(inked).toEqual(["#d62828", "#1d3557"]);
  });
});

describe("readRoom", () => {
  it("reads the server's round, prompt, ready ids and last stored round", () => {
    const doc = new Y.Doc();
    const room = doc.getMap<unknown>("room");
    expect(readRoom(doc)).toEqual({ round: null, prompt: null, ready: [], saved: null });
    room.set("round", 2);
    room.set("prompt", { id: "star", name: "Star" });
    room.set("ready", ["p1", 7]);
    room.set("saved", { round: 1, drawingId: "d-1", qualityScore: 0.8 });
    expect(readRoom(doc)).toEqual({
      round: 2,
      prompt: { id: "star", name: "Star" },
      ready: ["p1"],
      saved: { round: 1, drawingId: "d-1", qualityScore: 0.8 },
    });
  });

  it("reads values the server wrote as nested Yjs types", () => {
    const doc = new Y.Doc();
    const room = doc.getMap<unknown>("room");
    const ready = new Y.Array<string>();
    room.set("ready", ready);
    ready.push(["p2"]);
    expect(readRoom(doc).ready).toEqual(["p2"]);
  });
});
