// The Drawings page keeps its filters, sort and page in the URL's query string, so that a
// reload, the browser's Back and the detail page's "← All drawings" bring the same list back.
import type { DrawingQuery } from "../../api/admin";
import type { Device } from "../../api/strokes";

export const DRAWINGS_PATH = "/admin/drawings";

export interface DrawingListState {
  query: DrawingQuery;
  /** The cursor of each page after the first, in order: the last one is the page shown. */
  cursors: string[];
}

const TEXT_KEYS = ["shape", "source", "sessionId", "createdFrom", "createdTo"] as const;
const NUMBER_KEYS = ["minQuality", "maxQuality"] as const;
const DEVICES: readonly Device[] = ["mouse", "touch", "pen"];
const SORTS: readonly NonNullable<DrawingQuery["sort"]>[] = ["created_at", "quality"];
const ORDERS: readonly NonNullable<DrawingQuery["order"]>[] = ["desc", "asc"];
const CURSOR = "cursor";

const oneOf = <T extends string>(choices: readonly T[], value: string | null): T | undefined =>
  choices.find((choice) => choice === value);

/** The list state a query string names; what it cannot read is left out. */
export function parseListSearch(search: string): DrawingListState {
  const params = new URLSearchParams(search);
  const query: DrawingQuery = {};
  for (const key of TEXT_KEYS) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  for (const key of NUMBER_KEYS) {
    const value = params.get(key);
    const number = value === null || value.trim() === "" ? NaN : Number(value);
    if (Number.isFinite(number)) query[key] = Math.min(1, Math.max(0, number));
  }
  const flagged = params.get("flagged");
  if (flagged === "true" || flagged === "false") query.flagged = flagged === "true";
  const device = oneOf(DEVICES, params.get("device"));
  if (device) query.device = device;
  const sort = oneOf(SORTS, params.get("sort"));
  if (sort) query.sort = sort;
  const order = oneOf(ORDERS, params.get("order"));
  if (order) query.order = order;
  return { query, cursors: params.getAll(CURSOR).filter(Boolean) };
}

/** "?shape=circle&cursor=…", or "" for the unfiltered first page; `parseListSearch` reads it back. */
export function formatListSearch({ query, cursors }: DrawingListState): string {
  const params = new URLSearchParams();
  for (const key of [...TEXT_KEYS, ...NUMBER_KEYS, "flagged", "device", "sort", "order"] as const) {
    const value = query[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  for (const cursor of cursors) params.append(CURSOR, cursor);
  const search = params.toString();
  return search ? `?${search}` : "";
}

const LAST_SEARCH_KEY = "crowdsketch.admin.drawingsSearch";

/** Kept for this tab only: a filter is a view, not a setting. */
export function rememberListSearch(search: string): void {
  try {
    sessionStorage.setItem(LAST_SEARCH_KEY, search);
  } catch {
    // Storage may be off (private mode); the link then opens the plain list.
  }
}

/** The path of the list as it was last shown in this tab. */
export function lastListPath(): string {
  let search: string | null = null;
  try {
    search = sessionStorage.getItem(LAST_SEARCH_KEY);
  } catch {
    search = null;
  }
  return `${DRAWINGS_PATH}${search?.startsWith("?") ? search : ""}`;
}
