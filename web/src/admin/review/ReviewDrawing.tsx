import { useEffect } from "react";
import type { ReviewItem } from "../../api/review";
import { StrokeThumbnail } from "../../canvas/StrokeThumbnail";
import { loadStrokes } from "../drawings/strokeCache";
import { useDrawingStrokes } from "../drawings/useDrawingStrokes";

const DRAWING_PX = 320;

/** The drawing under review, large; the next one's strokes are read ahead. */
export function ReviewDrawing({ item, upcoming }: { item: ReviewItem; upcoming?: ReviewItem }) {
  const strokes = useDrawingStrokes(item.drawingId);
  const upcomingId = upcoming?.drawingId;
  useEffect(() => {
    if (upcomingId) loadStrokes(upcomingId).catch(() => undefined);
  }, [upcomingId]);

  if (strokes.status === "ready" && strokes.strokeData) {
    return (
      <StrokeThumbnail
        strokes={strokes.strokeData.strokes}
        size={DRAWING_PX}
        label={`The drawing labelled ${item.shape.name}`}
        className="review__canvas"
      />
    );
  }
  const text =
    strokes.status === "loading" ? "Loading the strokes…" : strokes.status === "error" ? "The strokes could not be loaded." : "The strokes are missing.";
  return (
    <span className="review__canvas review__placeholder" style={{ width: DRAWING_PX, height: DRAWING_PX }}>
      {text}
    </span>
  );
}
