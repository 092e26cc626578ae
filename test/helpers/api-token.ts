/** API tokens for tests that call the REST API: every route but /health needs one. */
import { randomBytes } from 'node:crypto';
import type { DeviceStore } from '../../src/db/types';
import { TokenStore, type Scope } from '../../src/nbi/auth/tokens';

/** A new token of `scope` in the store's database (a fresh name each time). */
export async function newToken(store: DeviceStore, scope: Scope = 'admin'): Promise<string> {
  return (await new TokenStore(store.sql).create(`test-${scope}-${randomBytes(4).toString('hex')}`, scope, 'test')).token;
}

/** `init` with the token's Authorization header added (headers already there are kept). */
export function withToken(token: string, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** fetch() of a REST API path with the token. */
export function tokenFetch(baseUrl: string, token: string): (path: string, init?: RequestInit) => Promise<Response> {
  return (path, init) => fetch(`${baseUrl}${path}`, withToken(token, init));
}
