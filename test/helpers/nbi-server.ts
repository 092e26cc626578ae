/**
 * The REST API app over some routers, on a port of its own, with an admin
 * token: for the suites that test one part's routes without a whole ACS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Router from '@koa/router';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { createNbiApp } from '../../src/nbi/app';
import { newToken, withToken } from './api-token';

export interface NbiServer {
  base: string;
  token: string;
  /** One request with the token; the body sent as JSON unless it is a string, the answer parsed (null when not JSON). */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function serveRouters(store: DeviceStore, routers: Router[]): Promise<NbiServer> {
  const server = http.createServer(createNbiApp({ store, log: createLogger('silent'), routers, tokenRate: 0, searchStatementMs: 0 }).callback());
  const token = await newToken(store);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    token,
    async call<T>(method: string, path: string, body?: unknown) {
      const init = { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } };
      const res = await fetch(`${base}${path}`, withToken(token, init));
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
