// Strokes for thumbnails. The list endpoint answers metadata only, so each thumbnail reads
// its drawing's detail; this keeps those reads few at a time and each one once.
import { fetchDrawing } from "../../api/admin";
import type { StrokeData } from "../../api/strokes";

const MAX_IN_FLIGHT = 6;
const MAX_CACHED = 600;

const cache = new Map<string, Promise<StrokeData | null>>();
const waiting: (() => void)[] = [];
let inFlight = 0;

function release(): void {
  inFlight -= 1;
  waiting.shift()?.();
}

async function slot(): Promise<void> {
  if (inFlight < MAX_IN_FLIGHT) {
    inFlight += 1;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight += 1;
}

export function loadStrokes(id: string): Promise<StrokeData | null> {
  const cached = cache.get(id);
  if (cached) return cached;
  const pending = (async () => {
    await slot();
    try {
      return (await fetchDrawing(id)).strokeData;
    } finally {
      release();
    }
  })();
  // A failure is not cached: the next render may try again.
  pending.catch(() => cache.delete(id));
  cache.set(id, pending);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return pending;
}

/** Strokes already read (from a detail view) go straight into the cache. */
export function rememberStrokes(id: string, strokeData: StrokeData | null): void {
  cache.set(id, Promise.resolve(strokeData));
}

export function forgetStrokes(id: string): void {
  cache.delete(id);
}
