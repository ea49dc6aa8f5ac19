import { useEffect, useState } from "react";
import { apiRequest } from "../api/client";

/** What the operator turned on for the game (GET /api/game/settings). */
export interface GameSettings {
  /** Whether the game says what the model sees while a drawing is drawn. */
  liveGuess: boolean;
  /** A drawing whose stroke JSON is at least this many bytes goes by direct upload; 0: always inline. */
  directUploadBytes: number;
}

const OFF: GameSettings = { liveGuess: false, directUploadBytes: 0 };

export function fetchGameSettings(signal?: AbortSignal): Promise<GameSettings> {
  return apiRequest<GameSettings>("/api/game/settings", { signal });
}

/** The answer as the game uses it: anything missing or malformed stays off. */
function understood(answer: Partial<GameSettings> | undefined): GameSettings {
  const bytes = answer?.directUploadBytes;
  return {
    liveGuess: answer?.liveGuess === true,
    directUploadBytes: typeof bytes === "number" && Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : 0,
  };
}

// The page asks once however many hooks want the settings when it opens: callers that ask
// while a request is on its way share it. Nothing is kept once it is answered.
let asking: Promise<GameSettings> | null = null;

function askOnce(): Promise<GameSettings> {
  if (!asking) {
    const request = fetchGameSettings().then(understood);
    asking = request;
    const done = () => {
      if (asking === request) asking = null;
    };
    request.then(done, done);
  }
  return asking;
}

/** The game's settings; everything optional stays off until the server says otherwise, and
 * off if it cannot be asked: the game itself never waits for them. */
export function useGameSettings(): GameSettings {
  const [settings, setSettings] = useState<GameSettings>(OFF);
  useEffect(() => {
    let live = true;
    askOnce()
      .then((answer) => {
        if (live) setSettings(answer);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return settings;
}
