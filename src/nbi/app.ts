import type Router from '@koa/router';
import Koa from 'koa';
import type { DeviceStore } from '../db/types';
import type { Logger } from '../log';
import { deviceRoutes } from './routes/devices';

/**
 * The northbound REST API: devices, and the routers of the other parts
 * (tasks, workflows, campaigns, files). Bound to loopback by default, until
 * token authentication lands.
 */
export function createNbiApp(store: DeviceStore, log: Logger, routers: Router[] = []): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404, `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message: string; code?: string };
      const status = typeof e.status === 'number' ? e.status : 500;
      if (status >= 500) log.error({ err, path: ctx.path }, 'nbi request failed');
      ctx.status = status;
      ctx.body = { error: status < 500 && e.expose !== false ? e.message : 'internal error', code: e.code };
    }
  });
  for (const router of [deviceRoutes(store), ...routers]) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
