import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/load';
import { createCwmpApp } from './cwmp/app';
import { Authenticator } from './cwmp/http/auth';
import type { SessionDeps } from './cwmp/session/context';
import { DeviceFactsCache, FactsAwareStore } from './cwmp/session/device-facts';
import { flushTouched, sweepExpired } from './cwmp/session/finalize';
import { RedisSessionStore } from './cwmp/session/redis-store';
import { openStore } from './db';
import type { DeviceStore } from './db/types';
import { connectRedis } from './infra/redis';
import { createLogger, type Logger } from './log';
import { createNbiApp } from './nbi/app';
import { presetRegistry, startEngineClient, startEngineWorker } from './engine/start';
import type { PresetRegistry } from './presets/registry';

export type Role = 'cwmp' | 'worker' | 'nbi' | 'all';

export interface RunningAcs {
  cwmpPort: number | null;
  nbiPort: number | null;
  store: DeviceStore;
  deps: SessionDeps | null;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;
/** How often quiet sessions' last_inform times are written, in one statement per 500 devices. */
const TOUCH_FLUSH_MS = 1_000;

/** The Digest nonce secret all front ends share: created once in Redis, read by every process. */
async function sharedSecret(deps: { redis: import('ioredis').Redis; prefix: string }): Promise<Buffer> {
  const key = `${deps.prefix}digest-secret`;
  await deps.redis.set(key, randomBytes(32).toString('hex'), 'NX');
  return Buffer.from((await deps.redis.get(key)) as string, 'hex');
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Runs `task` every `ms`, never two at once: a slow sweep is not overtaken by the next. */
function every(ms: number, log: Logger, what: string, task: () => Promise<unknown>): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((err) => log.error({ err }, `${what} failed`))
      .finally(() => (running = false));
  }, ms);
}

/** Starts the parts of an ACS process for `role`: storage, Redis, the CWMP and NBI servers, the session sweeper. */
export async function startAcs(config: Readonly<Config>, log: Logger, role: Role = 'all'): Promise<RunningAcs> {
  const redisHandle = await connectRedis(config.redisUrl, config.dataDir, log);
  const { redis, close: closeRedis } = redisHandle;
  const sql = await openStore(config.databaseUrl);
  await sql.migrate();
  const facts = new DeviceFactsCache(redis, config.redisPrefix);
  const store = new FactsAwareStore(sql, facts);
  const servers: http.Server[] = [];
  const timers: NodeJS.Timeout[] = [];
  const result: RunningAcs = { cwmpPort: null, nbiPort: null, store, deps: null, close: async () => undefined };
  const closers: (() => Promise<void>)[] = [];
  const presets = role === 'nbi' ? null : presetRegistry(config, log);
  if (presets) closers.push(async () => presets.close());
  if (presets && (role === 'worker' || role === 'all')) {
    const worker = await startEngineWorker(config, redisHandle, store, presets, log);
    closers.unshift(() => worker.close());
  }
  if (role === 'cwmp' || role === 'all') {
    const secret = await sharedSecret({ redis, prefix: config.redisPrefix });
    const sessions = new RedisSessionStore(redis, config.redisPrefix, config.sessionTimeoutMs);
    const auth = new Authenticator(config.cwmpAuthRealm, secret);
    const engine = await startEngineClient(config, redisHandle, presets as PresetRegistry, log);
    closers.unshift(() => engine.close());
    const deps: SessionDeps = { config, store, sessions, auth, facts, log, engine };
    const server = http.createServer(createCwmpApp(deps).callback());
    server.keepAliveTimeout = config.sessionTimeoutMs;
    // A body that trickles in must not hold one of the CWMP_MAX_CONCURRENT slots for Node's default 300 s.
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    servers.push(server);
    result.cwmpPort = await listen(server, config.cwmpPort, config.cwmpHost);
    result.deps = deps;
    timers.push(every(SWEEP_INTERVAL_MS, log, 'session sweep', () => sweepExpired(deps)));
    timers.push(every(TOUCH_FLUSH_MS, log, 'last-inform flush', () => flushTouched(deps)));
  }
  if (role === 'nbi' || role === 'all') {
    const server = http.createServer(createNbiApp(store, log).callback());
    servers.push(server);
    result.nbiPort = await listen(server, config.nbiPort, config.nbiHost);
  }
  // Printed at any LOG_LEVEL but silent: operators and spawnAcs() wait for this line.
  const announce = log.isLevelEnabled('info') || log.level === 'silent' ? log : createLogger('info');
  announce.info({ role, cwmpPort: result.cwmpPort, nbiPort: result.nbiPort }, 'acs started');
  result.close = async () => {
    timers.forEach(clearInterval);
    await Promise.all(servers.map(closeServer));
    if (result.deps) await flushTouched(result.deps, Number.MAX_SAFE_INTEGER).catch(() => undefined);
    for (const close of closers) await close().catch((err) => log.error({ err }, 'close failed'));
    await closeRedis();
    await store.close();
  };
  return result;
}
