import { useCallback, useState } from "react";
import type { ApiError } from "../api/client";

/** Where the key typed into the portal is kept: this tab's sessionStorage, never localStorage. */
export const API_KEY_STORAGE = "crowdsketch.implementor.apiKey";

/** The answers that mean the server wants a (good) key. */
export const KEY_ERRORS: ReadonlySet<string> = new Set(["API_KEY_REQUIRED", "API_KEY_INVALID"]);

function stored(): string {
  try {
    return sessionStorage.getItem(API_KEY_STORAGE) ?? "";
  } catch {
    return ""; // storage refused (a privacy mode): the key lives in memory only
  }
}

/** The API key for the portal's server calls. The field is asked for once the server has
 * refused a call for want of a key, or when this tab already holds one. */
export function useApiKey() {
  const [key, setKeyState] = useState(stored);
  const [asked, setAsked] = useState(() => key !== "");

  const setKey = useCallback((value: string) => {
    setKeyState(value);
    try {
      if (value) sessionStorage.setItem(API_KEY_STORAGE, value);
      else sessionStorage.removeItem(API_KEY_STORAGE);
    } catch {
      // kept in memory only
    }
  }, []);

  /** Shows the field when the error is the server asking for a key; true if it was. */
  const noteError = useCallback((error: ApiError): boolean => {
    const wanted = KEY_ERRORS.has(error.code);
    if (wanted) setAsked(true);
    return wanted;
  }, []);

  return { key: key.trim(), value: key, setKey, asked, noteError };
}
