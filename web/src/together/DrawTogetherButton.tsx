import { useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import { createRoom, type RoomCreated } from "../api/together";
import { ErrorDisplay } from "../common/ErrorDisplay";
import { navigate } from "../router/router";

export interface DrawTogetherButtonProps {
  sessionId: string;
  /** The request; replaced in tests. */
  create?: typeof createRoom;
}

/** The room's page as the server named it; only a path of this app is followed. */
const roomPage = (room: RoomCreated) =>
  room.path.startsWith("/together/") ? room.path : `/together/${encodeURIComponent(room.roomId)}`;

/** "Draw together": makes a room and opens it, for its link to be sent to friends. */
export function DrawTogetherButton({ sessionId, create = createRoom }: DrawTogetherButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      navigate(roomPage(await create(sessionId)));
    } catch (reason) {
      setError(toApiError(reason));
      setBusy(false);
    }
  };

  return (
    <div className="draw-together">
      <button type="button" className="button button--quiet" onClick={() => void start()} disabled={busy} aria-busy={busy}>
        Draw together
      </button>
      <ErrorDisplay error={error} onRetry={() => void start()} title="No room could be made." />
    </div>
  );
}
