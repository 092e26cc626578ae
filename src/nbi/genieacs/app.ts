/**
 * The GenieACS-compatible REST API (issue 11 §2): GenieACS's NBI routes at
 * the root of their own port (GENIEACS_NBI_PORT), so that integrations
 * written for GenieACS (its port 7557) keep working when pointed at it.
 * Behind the same API tokens as our REST API, as Bearer or as the HTTP
 * Basic password (auth.ts). Errors answer JSON `{error, code}` as our API
 * does, with GenieACS's status codes.
 */
import type Router from '@koa/router';
import Koa from 'koa';
import type { DeviceStore } from '../../db/types';
import type { FileService } from '../../files';
import type { Logger } from '../../log';
import type { TaskService } from '../../tasks/service';
import { apiGuard } from '../auth/guard';
import { TokenStore } from '../auth/tokens';
import { basicAsBearer } from './auth';
import { deviceRoutes } from './devices';
import { faultRoutes } from './faults';
import { fileRoutes } from './files';
import { pingRoutes } from './ping';
import { scriptRoutes, type ScriptRouteDeps } from './scripts';
import { taskRoutes } from './tasks';

export interface GenieacsApiDeps {
  store: DeviceStore;
  log: Logger;
  tasks: TaskService;
  files: FileService;
  scripts: ScriptRouteDeps;
  /** Requests per second per API token (NBI_TOKEN_RATE), counted apart from our own API's. */
  tokenRate: number;
  /** Longest one SQL statement of a device search may run (SEARCH_STATEMENT_MS; 0: no bound). */
  searchStatementMs: number;
}

export function createGenieacsApp(d: GenieacsApiDeps): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404, `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message: string; code?: string; field?: string };
      const status = typeof e.status === 'number' ? e.status : 500;
      if (status >= 500) d.log.error({ err, path: ctx.path }, 'GenieACS-compatible API request failed');
      ctx.status = status;
      ctx.body = { error: status < 500 && e.expose !== false ? e.message : 'internal error', code: e.code, ...(status === 400 && e.field ? { field: e.field } : {}) };
    }
  });
  app.use(basicAsBearer());
  app.use(apiGuard({ tokens: new TokenStore(d.store.sql), sql: d.store.sql, log: d.log, ratePerSecond: d.tokenRate }));
  const routers: Router[] = [
    deviceRoutes(d.store, d.searchStatementMs), taskRoutes(d.tasks, d.store.sql, d.files), faultRoutes(d.store),
    scriptRoutes(d.scripts), fileRoutes(d.files), pingRoutes(),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
