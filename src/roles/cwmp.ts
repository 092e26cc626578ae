/**
 * The CWMP role: the CPE-facing server with its session sweeps, the engine's
 * front end, commit notices, and the file server CPEs download from.
 */
import type { Context } from 'koa';
import { receiveReport } from '../qoe/collector/route';
import { createWorkflowRunner } from '../workflows';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load';
import { createCwmpApp } from '../cwmp/app';
import { Authenticator } from '../cwmp/http/auth';
import type { SessionDeps } from '../cwmp/session/context';
import { RedisSessionStore } from '../cwmp/session/redis-store';
import { flushTouched, sweepExpired } from '../cwmp/session/sweeper';
import { startEngineClient } from '../engine/start';
import { createFileServerApp, FILE_SERVER_HTTP_OPTIONS } from '../files';
import type { PresetRegistry } from '../presets/registry';
import { tlsSettingsOf } from '../infra/tls';
import { withProbes } from '../metrics/http';
import { startTraceSwitch } from '../trace/switch';
import { every } from './closers';
import { serve } from './http';
import { ordersOf, type Shared } from './shared';

const SWEEP_INTERVAL_MS = 1_000;
/** How often quiet sessions' last_inform times are written, in one statement per 500 devices. */
const TOUCH_FLUSH_MS = 1_000;
/** Released file contents (replaced files) and abandoned uploads are deleted this often. */
const FILE_GC_MS = 10 * 60_000;
/** Headers must arrive sooner than the whole request (Node wants headersTimeout <= requestTimeout). */
const HEADERS_TIMEOUT_MS = 20_000;

export interface CwmpRole {
  cwmpPort: number;
  fsPort: number;
  deps: SessionDeps;
}

/** The Digest nonce secret all front ends share: created once in Redis, read by every process. */
async function sharedSecret(redis: Redis, prefix: string): Promise<Buffer> {
  const key = `${prefix}digest-secret`;
  await redis.set(key, randomBytes(32).toString('hex'), 'NX');
  return Buffer.from((await redis.get(key)) as string, 'hex');
}

/** The CPE-facing server's timeouts: a body that trickles in must not hold one of the CWMP_MAX_CONCURRENT slots for Node's default 300 s. */
function cwmpServerOptions(config: Readonly<Config>): http.ServerOptions {
  const requestTimeout = config.cwmpRequestTimeoutMs;
  return {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    keepAliveTimeout: config.sessionTimeoutMs,
    // Node checks both timeouts only this often (default 30 s): a short timeout needs a short period.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestTimeout / 4)),
  };
}

async function sessionDeps(s: Shared, presets: PresetRegistry): Promise<SessionDeps> {
  const { config, log, redis, opened } = s;
  const secret = await sharedSecret(redis, config.redisPrefix);
  const sessions = new RedisSessionStore(redis, config.redisPrefix, config.sessionTimeoutMs);
  const auth = new Authenticator(config.cwmpAuthRealm, secret);
  const provisioning = await startEngineClient(config, s.redisHandle, presets, log);
  opened.push(() => provisioning.close());
  // Runs for orders are started here (at a device's first contact) and carried out by the workers.
  const workflows = createWorkflowRunner({ workflowsDir: config.workflowsDir, redisPrefix: config.redisPrefix, connect: s.bullConnection, redis: s.redis, store: s.store, log });
  opened.push(() => workflows.close());
  const orders = ordersOf(s, workflows);
  const trace = await startTraceSwitch(s.traces, log, opened);
  return { config, store: s.store, sessions, auth, facts: s.facts, log, provisioning, notices: s.notices, webhooks: s.webhooks, qoe: s.qoe, orders, fileAccess: s.files.access, trace };
}

export async function startCwmpRole(s: Shared, presets: PresetRegistry): Promise<CwmpRole> {
  const { config, log, opened } = s;
  const deps = await sessionDeps(s, presets);
  // Closed after the server (below): what quiet sessions touched until the last request is written. Kept in Redis: with Redis down, nothing to write.
  opened.push(async () => void (s.redis.status === 'ready' && (await flushTouched(deps, Number.MAX_SAFE_INTEGER).catch(() => 0))));
  const cwmpPort = await serve({ app: withProbes(createCwmpApp(deps), 'cwmp', s.ready), name: 'cwmp', options: cwmpServerOptions(config), port: config.cwmpPort, host: config.cwmpHost, tls: tlsSettingsOf(config, 'cwmp'), shared: true }, log, opened);
  const timers = [
    every(SWEEP_INTERVAL_MS, log, 'session sweep', () => sweepExpired(deps)),
    every(TOUCH_FLUSH_MS, log, 'last-inform flush', () => flushTouched(deps)),
  ];
  opened.push(async () => timers.forEach(clearInterval));
  const fsPort = await startFileServer(s);
  return { cwmpPort, fsPort, deps };
}

/** The file server CPEs download from and upload to, and the collection of released contents. */
async function startFileServer(s: Shared): Promise<number> {
  const { config, log, files, opened } = s;
  const port = await serve({ app: withProbes(createFileServerApp({ files, log, bulkData: bulkDataCollector(s) }), 'fs', s.ready), name: 'fs', options: FILE_SERVER_HTTP_OPTIONS, port: config.fsPort, host: config.fsHost, tls: tlsSettingsOf(config, 'fs'), shared: true }, log, opened);
  const gc = every(FILE_GC_MS, log, 'file garbage collection', () => files.store.collectGarbage());
  opened.push(async () => clearInterval(gc));
  return port;
}

/** The bulk data collector's handler, with what it needs from the process. */
function bulkDataCollector(s: Shared): (ctx: Context, profile: string) => Promise<void> {
  return async (ctx, profile) => {
    const access = await s.qoe.access();
    await receiveReport(ctx, { access, view: s.qoe.view, frames: s.qoe.frames, log: s.log, maxBodyBytes: s.config.qoeReportMaxBytes }, profile);
  };
}
