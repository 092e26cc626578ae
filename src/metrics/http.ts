/**
 * What every HTTP server of a process gets in front of its own middleware:
 * its request time measured (acs_http_request_duration_seconds), and GET
 * /health and /ready answered for load balancers and orchestrators (the
 * CWMP and file servers have no other GET of these paths; the REST API
 * serves its own, described, see routes.ts).
 */
import type Koa from 'koa';
import { metrics } from './registry';
import type { ReadinessCheck } from './readiness';

/** The server's name as a label (cwmp, fs, nbi, metrics). */
export type ServerName = 'cwmp' | 'fs' | 'nbi' | 'metrics';

/** Times every request; `unshift`: the outermost layer, so that the app's own middleware is all inside the measure. */
export function timeRequests(app: Koa, server: ServerName): Koa {
  const labels = { server };
  app.middleware.unshift(async (_ctx, next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      metrics.httpSeconds.observe(labels, (performance.now() - t0) / 1000);
    }
  });
  return app;
}

/** Answers /health and /ready: 200 with the checks, or 503 naming what is not ready. */
export async function answerReady(ctx: Koa.Context, ready: ReadinessCheck): Promise<void> {
  const r = await ready();
  ctx.status = r.ready ? 200 : 503;
  ctx.body = { status: r.ready ? 'ready' : 'not ready', checks: r.checks };
}

/** /health (the process answers) and /ready in front of an app that does not serve them itself. */
export function withProbes(app: Koa, server: ServerName, ready: ReadinessCheck): Koa {
  app.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'GET' || (ctx.path !== '/health' && ctx.path !== '/ready')) return next();
    if (ctx.path === '/health') ctx.body = { status: 'ok' };
    else await answerReady(ctx, ready);
  });
  return timeRequests(app, server);
}
