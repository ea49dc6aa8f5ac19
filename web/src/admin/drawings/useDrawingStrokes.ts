import { useEffect, useState } from "react";
import type { StrokeData } from "../../api/strokes";
import { loadStrokes } from "./strokeCache";

export type StrokesState = { status: "loading" } | { status: "ready"; strokeData: StrokeData | null } | { status: "error" };

export function useDrawingStrokes(id: string): StrokesState {
  const [state, setState] = useState<StrokesState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    setState({ status: "loading" });
    loadStrokes(id).then(
      (strokeData) => live && setState({ status: "ready", strokeData }),
      () => live && setState({ status: "error" }),
    );
    return () => {
      live = false;
    };
  }, [id]);
  return state;
}
