// A tiny history router: the app has a few top-level pages, so react-router's weight is not
// worth it. `/admin/*` pages read the rest of the path with `usePathname`; a `:name` segment
// is read with `matchParams`.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const NAVIGATE_EVENT = "crowdsketch:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentPath = () => window.location.pathname;
const currentSearch = () => window.location.search;

export function usePathname(): string {
  return useSyncExternalStore(subscribe, currentPath, () => "/");
}

export function useSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch, () => "");
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/**
 * The values of a pattern's `:name` segments when `pathname` matches it, else null. `/admin/*`
 * matches `/admin` and everything under it; `/together/:roomId` matches one non-empty segment
 * in that place; other segments match exactly.
 */
export function matchParams(pattern: string, pathname: string): Record<string, string> | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (pattern.endsWith("/*")) {
    const base = pattern.slice(0, -2);
    return path === base || path.startsWith(`${base}/`) ? {} : null;
  }
  const wanted = pattern.split("/");
  const given = path.split("/");
  if (wanted.length !== given.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i += 1) {
    if (!wanted[i].startsWith(":")) {
      if (wanted[i] !== given[i]) return null;
      continue;
    }
    if (given[i] === "") return null;
    try {
      params[wanted[i].slice(1)] = decodeURIComponent(given[i]);
    } catch {
      // A malformed escape ("%E0%A4%A") names nothing this app could have made.
      return null;
    }
  }
  return params;
}

export function matchPath(pattern: string, pathname: string): boolean {
  return matchParams(pattern, pathname) !== null;
}

export type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const plain = event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    if (event.defaultPrevented || !plain || rest.target) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}
