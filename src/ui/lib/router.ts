/**
 * Pages are paths under /ui/ (the server answers index.html for each), so a
 * page can be bookmarked, opened in a new tab and reached with Back.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/ui';

export interface Route {
  /** The path below /ui, e.g. "/devices/ID". */
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : '/';
  return { path, query: new URLSearchParams(location.search) };
}

/** Goes to a page of the UI (`to` below /ui, with its query); `replace` leaves no history entry. */
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/** A click that the browser should handle itself (new tab, new window, download). */
export function isModifiedClick(e: MouseEvent): boolean {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}
