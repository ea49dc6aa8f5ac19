import { useEffect, useState } from "react";
import { apiRequest } from "../api/client";

/** What the operator turned on for the game (GET /api/game/settings). */
export interface GameSettings {
  /** Whether the game says what the model sees while a drawing is drawn. */
  liveGuess: boolean;
}

export function fetchGameSettings(signal?: AbortSignal): Promise<GameSettings> {
  return apiRequest<GameSettings>("/api/game/settings", { signal });
}

/** The game's settings; everything optional stays off until the server says otherwise, and
 * off if it cannot be asked: the game itself never waits for them. */
export function useGameSettings(): GameSettings {
  const [settings, setSettings] = useState<GameSettings>({ liveGuess: false });
  useEffect(() => {
    const controller = new AbortController();
    fetchGameSettings(controller.signal)
      .then((answer) => {
        if (!controller.signal.aborted) setSettings({ liveGuess: answer?.liveGuess === true });
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return settings;
}
