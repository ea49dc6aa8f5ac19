import type { DrawingSummary } from "../../api/admin";
import { StrokeThumbnail } from "../../canvas/StrokeThumbnail";
import { Link } from "../../router/router";
import { useDrawingStrokes } from "./useDrawingStrokes";

export interface DrawingCardProps {
  drawing: DrawingSummary;
  selected: boolean;
  onToggle: (id: string) => void;
}

const THUMBNAIL_PX = 120;

function Thumbnail({ drawing }: { drawing: DrawingSummary }) {
  const strokes = useDrawingStrokes(drawing.id);
  if (strokes.status === "ready" && strokes.strokeData) {
    return <StrokeThumbnail strokes={strokes.strokeData.strokes} size={THUMBNAIL_PX} label={`${drawing.shape.name} drawing`} />;
  }
  const text = strokes.status === "loading" ? "…" : strokes.status === "error" ? "Not loaded" : "No strokes";
  return (
    <span className="drawing-card__placeholder" style={{ width: THUMBNAIL_PX, height: THUMBNAIL_PX }}>
      {text}
    </span>
  );
}

export function DrawingCard({ drawing, selected, onToggle }: DrawingCardProps) {
  const created = new Date(drawing.createdAt).toLocaleString();
  return (
    <li className={`drawing-card${selected ? " drawing-card--selected" : ""}${drawing.flagged ? " drawing-card--flagged" : ""}`}>
      <label className="drawing-card__select">
        <input type="checkbox" checked={selected} onChange={() => onToggle(drawing.id)} />
        <span className="visually-hidden">
          Select {drawing.shape.name} drawing of {created}
        </span>
      </label>
      <Link to={`/admin/drawings/${drawing.id}`} className="drawing-card__link" aria-label={`Open ${drawing.shape.name} drawing of ${created}`}>
        <Thumbnail drawing={drawing} />
      </Link>
      <div className="drawing-card__meta">
        <strong>{drawing.shape.name}</strong>
        <span>
          Q {drawing.qualityScore.toFixed(2)} · {drawing.device}
        </span>
        <span>{drawing.source}</span>
        {drawing.flagged && (
          <span className="admin-badge admin-badge--danger" title={drawing.flagReason ?? undefined}>
            Flagged
          </span>
        )}
      </div>
    </li>
  );
}
