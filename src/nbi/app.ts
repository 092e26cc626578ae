import type Router from '@koa/router';
import Koa from 'koa';
import type { DeviceStore } from '../db/types';
import type { Logger } from '../log';
import { openApiRouter } from './api/openapi';
import { apiRouter, defineRoute } from './api/route';
import { apiGuard } from './auth/guard';
import { authRoutes } from './auth/routes';
import { sessionRoutes } from './auth/session-routes';
import { TokenStore } from './auth/tokens';
import { UiSessionStore } from './auth/ui-sessions';
import { UserStore } from './auth/users';
import { deviceRoutes } from './routes/devices';
import { faultRoutes } from './routes/faults';
import { searchRoutes } from './routes/searches';
import { tagRoutes } from './routes/tags';
import { uiAssets } from './ui-assets';

/** A route the REST API serves: its methods and path pattern (e.g. /devices/:id/tasks). */
export interface NbiRoute {
  methods: string[];
  path: string;
}

export interface NbiAppOptions {
  store: DeviceStore;
  log: Logger;
  /** The routers of the other parts (tasks, workflows, campaigns, files). */
  routers?: Router[];
  /** Requests per second per API token and process (NBI_TOKEN_RATE; 0 = no limit). */
  tokenRate: number;
  /** Longest one SQL statement of a device search may run (SEARCH_STATEMENT_MS; 0: no bound). */
  searchStatementMs: number;
  /** The built web UI's folder (default dist/ui). */
  uiDir?: string;
}

/** GET /health: anyone may ask (auth/guard.ts), a load balancer does. */
const health = defineRoute({
  method: 'get',
  path: '/health',
  summary: 'Whether the REST API answers',
  responses: { 200: '{"status": "ok"}' },
  handle: (ctx) => {
    ctx.body = { status: 'ok' };
  },
});

/**
 * The northbound REST API: devices, API tokens and the audit log, the
 * routers of the other parts, and GET /openapi.json describing them. Every
 * route but /health and /sign-in needs an API token or the web UI's session
 * cookie (auth/guard.ts); the web UI's files are served under /ui/ (ui-assets.ts). Errors answer JSON
 * `{error, code}`, and a 400 of a route's schemas `field` too (api/route.ts).
 */
export function createNbiApp(o: NbiAppOptions): Koa {
  const app = new Koa();
  const tokens = new TokenStore(o.store.sql);
  const sessions = new UiSessionStore(o.store.sql);
  const users = new UserStore(o.store.sql);
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404, `no route for ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) {
        ctx.body = { error: `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}`, code: 'ACS_ERR_METHOD_NOT_ALLOWED' };
      }
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message: string; code?: string; field?: string };
      const status = typeof e.status === 'number' ? e.status : 500;
      if (status >= 500) o.log.error({ err, path: ctx.path }, 'nbi request failed');
      ctx.status = status;
      ctx.body = { error: status < 500 && e.expose !== false ? e.message : 'internal error', code: e.code, ...(status === 400 && e.field ? { field: e.field } : {}) };
    }
  });
  app.use(uiAssets(o.uiDir));
  app.use(apiGuard({ tokens, sql: o.store.sql, log: o.log, ratePerSecond: o.tokenRate, sessions }));
  const routers = [
    apiRouter([health]), deviceRoutes(o.store, o.searchStatementMs), tagRoutes(o.store, o.searchStatementMs), faultRoutes(o.store), searchRoutes(o.store.sql), authRoutes(tokens, o.store.sql),
    sessionRoutes({ users, sessions, tokens, sql: o.store.sql, log: o.log }), ...(o.routers ?? []),
  ];
  for (const router of [...routers, openApiRouter(routers)]) app.use(router.routes()).use(router.allowedMethods());
  return app;
}

/** Every route of an app made by createNbiApp (the routers' layers, HEAD left out). */
export function nbiRoutes(app: Koa): NbiRoute[] {
  const routes: NbiRoute[] = [];
  for (const mw of app.middleware as { router?: Router }[]) {
    for (const layer of mw.router?.stack ?? []) {
      const methods = layer.methods.filter((m) => m !== 'HEAD');
      if (methods.length > 0 && typeof layer.path === 'string') routes.push({ methods, path: layer.path });
    }
  }
  return routes;
}
