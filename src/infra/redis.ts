import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { defineScripts } from './redis-scripts';
import { disconnectNow } from './redis-disconnect';
import { RedisOutage } from './redis-outage';
import type { Logger } from '../log';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { connectTo, parseRedisUrl, type RedisEndpoint } from './redis-url';
import { retryAtStartup, type StartupRetry } from './startup-retry';

export interface RedisHandle {
  redis: Redis;
  /** Another connection to the same Redis (subscribers and BullMQ's blocking clients need their own); closed by `close`. */
  duplicate(options?: RedisOptions): Redis;
  /** Closes the connections and stops the private redis-server, if one was started (resolves once it exited). */
  close(): Promise<void>;
}

/** Where this process's Redis is. */
export interface RedisTarget {
  url: string;
  /**
   * Zero-configuration start only (REDIS_URL unset, role all): when nothing
   * answers at `url`, use or start a private redis-server under `dataDir`.
   * Otherwise an unreachable Redis is retried, then an error: a private Redis
   * per process would split a cluster's sessions between processes.
   */
  privateFallback: boolean;
  dataDir: string;
}

/** Connects once and PINGs; rejects with the connection's own error (ECONNREFUSED, WRONGPASS, CLUSTERDOWN ...). */
async function probe(target: RedisEndpoint): Promise<void> {
  const once = () => null;
  const redis = connectTo(target, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: once, clusterRetryStrategy: once, sentinelRetryStrategy: once });
  // connect() itself rejects with "Connection is closed."; the socket's error says why (a Cluster's: its nodes').
  let cause: Error | null = null;
  const noteCause = (err: Error): Error => (cause ??= err);
  redis.on('error', noteCause);
  redis.on('node error', noteCause);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw cause ?? err;
  } finally {
    redis.disconnect();
  }
}

const answers = (target: RedisEndpoint): Promise<boolean> => probe(target).then(() => true, () => false);

/** The handle over one Redis target: the main connection and every duplicate (reconnecting forever), all closed together. */
function handle(target: RedisEndpoint, log: Logger, stop: () => Promise<void> = async () => undefined): RedisHandle {
  const outage = new RedisOutage(log);
  // Commands issued in the same tick (session saves, facts, engine replies) share one write.
  const redis = outage.watch(defineScripts(connectTo(target, { enableAutoPipelining: true })));
  const extra: Redis[] = [];
  return {
    redis,
    duplicate(options) {
      const r = outage.watch(defineScripts(connectTo(target, options)));
      extra.push(r);
      return r;
    },
    close: async () => {
      for (const r of [redis, ...extra]) disconnectNow(r);
      await stop();
    },
  };
}

/**
 * Connects to the Redis of `target`, retrying an unreachable one for
 * STARTUP_RETRY_MS; with `privateFallback`, a Redis that does not answer at
 * once is replaced by a private one instead.
 */
export async function connectRedis(target: RedisTarget, retry: StartupRetry): Promise<RedisHandle> {
  const endpoint = parseRedisUrl(target.url);
  if (!target.privateFallback) {
    await retryAtStartup({ setting: 'REDIS_URL', url: target.url }, retry, () => probe(endpoint));
    return handle(endpoint, retry.log);
  }
  if (await answers(endpoint)) return handle(endpoint, retry.log);
  return privateRedis(target, retry);
}

/** Reuses the private redis-server a killed ACS left under `dataDir`, or starts one; without redis-server on PATH, fails with what to do. */
async function privateRedis(target: RedisTarget, { log }: StartupRetry): Promise<RedisHandle> {
  const dir = path.resolve(target.dataDir);
  const socket = path.join(dir, 'redis.sock');
  if (existsSync(socket) && (await answers({ kind: 'socket', path: socket }))) {
    log.info({ socket }, 'using the private redis-server left running');
    return handle({ kind: 'socket', path: socket }, log);
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`no Redis at ${target.url}: set REDIS_URL, or install redis-server (e.g. apt-get install redis-server)`);
  }
  mkdirSync(dir, { recursive: true });
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const stop = (): Promise<void> => stopChild(child);
  try {
    await waitForSocket(socket, child);
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ socket, pid: child.pid }, `no Redis at ${target.url}: started a private redis-server`);
  return handle({ kind: 'socket', path: socket }, log, stop);
}

async function waitForSocket(socket: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`private redis-server exited with code ${child.exitCode}`);
    if (existsSync(socket) && (await answers({ kind: 'socket', path: socket }))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('private redis-server did not start within 5 s');
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
