import { useState } from "react";
import type { StrokeData } from "../../api/strokes";
import { StrokeThumbnail } from "../../canvas/StrokeThumbnail";

const SPEEDS = [0.5, 1, 2, 4];
const REPLAY_PX = 300;

/** The drawing painted again point by point at the pace it was drawn (pauses between
 * strokes included), times the chosen speed. */
export function DrawingReplay({
  strokeData,
  strokeColors,
  label,
}: {
  strokeData: StrokeData;
  /** Each stroke's colour (its author's ink, for a drawing made together). */
  strokeColors?: readonly (string | undefined)[];
  label: string;
}) {
  const [run, setRun] = useState(0);
  const [speed, setSpeed] = useState(1);
  return (
    <figure className="drawing-replay">
      <StrokeThumbnail
        key={`${run}:${speed}`}
        strokes={strokeData.strokes}
        canvas={strokeData.canvas}
        fit="canvas"
        size={REPLAY_PX}
        replay
        speed={speed}
        strokeColors={strokeColors}
        label={label}
        className="drawing-replay__canvas"
      />
      <figcaption className="drawing-replay__controls">
        <button type="button" className="button" onClick={() => setRun((n) => n + 1)}>
          Replay
        </button>
        <label className="admin-field admin-field--inline">
          <span>Speed</span>
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((value) => (
              <option key={value} value={value}>
                {value}×
              </option>
            ))}
          </select>
        </label>
        <span className="admin-muted">
          {strokeData.strokes.length} stroke{strokeData.strokes.length === 1 ? "" : "s"} in {(strokeData.duration_ms / 1000).toFixed(2)} s
        </span>
      </figcaption>
    </figure>
  );
}
