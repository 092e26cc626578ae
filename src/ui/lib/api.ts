/**
 * The REST API as the UI calls it: same origin, the session cookie sent by
 * the browser (HttpOnly: this code never sees it), the session's CSRF token
 * in X-ACS-CSRF on writes. An answer of 401 means the session ended: the
 * app goes back to sign-in.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  name: string;
  scope: 'read' | 'write' | 'admin';
  csrf: string | null;
  expiresAt: number | null;
}

export interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let csrf: string | null = null;
let onSignedOut: () => void = () => {};

export function useSession(session: Session | null): void {
  csrf = session?.csrf ?? null;
}

export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

/** A path with its query: parameters left undefined are left out. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== false) params.set(k, v === true ? '' : String(v));
  const text = params.toString().replace(/=(&|$)/g, '$1');
  return text === '' ? path : `${path}?${text}`;
}

export async function api<T>(method: Method, path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf !== null) headers['X-ACS-CSRF'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const data = (text === '' ? null : JSON.parse(text)) as T & { error?: string; code?: string };
  if (res.ok) return { status: res.status, data, headers: res.headers };
  if (res.status === 401 && path !== '/sign-in') onSignedOut();
  throw new ApiError(res.status, data?.code, data?.error ?? `${res.status} ${res.statusText}`);
}

export const encodeId = (id: string): string => encodeURIComponent(id);
