/**
 * A process's own metrics and probes: Node's process metrics, the queue
 * sampler and the Redis error count for /metrics wherever it is served, and
 * the METRICS_PORT server (/metrics, /health, /ready), off when the port is 0.
 *
 * Why a port of its own, off by default: a worker has no HTTP server, and
 * the CWMP port faces CPEs (often the Internet), no place for /metrics. A
 * fixed default port would collide when several processes share a machine
 * (a front end and a worker on one host, or the test suites), so the
 * operator picks one per process (each container its own: 9464 everywhere
 * in docker compose). Without it the REST API's /metrics covers a process
 * with the nbi role (role all: everything).
 */
import Router from '@koa/router';
import Koa from 'koa';
import { apiGuard, ANONYMOUS } from '../nbi/auth/guard';
import { TokenStore } from '../nbi/auth/tokens';
import { serve } from '../roles/http';
import type { Shared } from '../roles/shared';
import { withProbes } from './http';
import { QueueSampler, sampleQueues, stopSampling } from './queues';
import type { ReadinessCheck } from './readiness';
import { collectProcessMetrics, metrics, registry } from './registry';

/** Errors of the metrics server as the REST API words them: JSON {error, code}. */
async function renderErrors(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    const e = err as { status?: number; message: string; code?: string };
    ctx.status = typeof e.status === 'number' ? e.status : 500;
    ctx.body = { error: ctx.status < 500 ? e.message : 'internal error', code: e.code };
  }
}

function metricsApp(s: Shared, ready: ReadinessCheck): Koa {
  const { config, store, log } = s;
  const app = new Koa();
  const anonymous = config.metricsAuth === 'none' ? new Set([...ANONYMOUS, '/metrics']) : ANONYMOUS;
  app.use(renderErrors);
  app.use(apiGuard({ tokens: new TokenStore(store.sql), sql: store.sql, log, ratePerSecond: config.nbiTokenRate, anonymous }));
  const router = new Router().get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  app.use(router.routes()).use(router.allowedMethods());
  return withProbes(app, 'metrics', ready);
}

/** Starts what /metrics reads, and the METRICS_PORT server; resolves to its port, or null when off. */
export async function startMetrics(s: Shared): Promise<number | null> {
  const { config, log, opened } = s;
  collectProcessMetrics();
  const onRedisError = (): void => void metrics.redisErrors.inc();
  s.redis.on('error', onRedisError);
  opened.push(async () => void s.redis.off('error', onRedisError));
  const sampler = new QueueSampler(s.redisHandle.duplicate(), config.redisPrefix);
  sampleQueues(sampler);
  opened.push(async () => {
    stopSampling(sampler);
    await sampler.close();
  });
  if (config.metricsPort === 0) return null;
  return serve({ app: metricsApp(s, s.ready), name: 'metrics', options: {}, port: config.metricsPort, host: config.metricsHost }, log, opened);
}
