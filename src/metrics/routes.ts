/**
 * GET /metrics and GET /ready on the REST API (described routes, in
 * /openapi.json). /metrics needs a token of scope read, as any read; /ready
 * is anonymous, as /health (auth/guard.ts): load balancers have no token.
 */
import type Router from '@koa/router';
import { apiRouter, defineRoute, type ApiRoute } from '../nbi/api/route';
import { answerReady } from './http';
import type { ReadinessCheck } from './readiness';
import { registry } from './registry';

/** The Prometheus text exposition of this process's metrics. */
export const metricsRoute: ApiRoute = defineRoute({
  method: 'get',
  path: '/metrics',
  summary: 'This process\'s Prometheus metrics',
  description: 'Prometheus text format: sessions, Informs, RPCs, engine steps, queues, connection requests, webhooks, HTTP, Redis and database errors.',
  responses: { 200: 'the metrics (text/plain; version=0.0.4)' },
  handle: async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  },
});

export function readyRoute(ready: ReadinessCheck): ApiRoute {
  return defineRoute({
    method: 'get',
    path: '/ready',
    summary: 'Whether this process can work: Redis and the database answer, every migration is applied',
    responses: { 200: '{"status": "ready", "checks": {"redis": "ok", "database": "ok", "migrations": "ok"}}', 503: 'not ready: the checks name what is wrong' },
    handle: (ctx) => answerReady(ctx, ready),
  });
}

export function metricsRoutes(ready: ReadinessCheck): Router {
  return apiRouter([readyRoute(ready), metricsRoute]);
}
