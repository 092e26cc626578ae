import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
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

type Endpoint = string | { path: string };

/** Connects once and PINGs; rejects with the connection's own error (ECONNREFUSED, WRONGPASS ...). */
async function probe(target: Endpoint): Promise<void> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null };
  const redis = typeof target === 'string' ? new Redis(target, options) : new Redis({ path: target.path, ...options });
  // connect() itself rejects with "Connection is closed."; the socket's error says why.
  let cause: Error | null = null;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw cause ?? err;
  } finally {
    redis.disconnect();
  }
}

const answers = (target: Endpoint): Promise<boolean> => probe(target).then(() => true, () => false);

/** A connection that reconnects forever: the one the server keeps. */
function keep(target: Endpoint, extra: RedisOptions = {}): Redis {
  return typeof target === 'string' ? new Redis(target, extra) : new Redis({ path: target.path, ...extra });
}

/** The handle over one Redis target: the main connection and every duplicate, all closed together. */
function handle(target: Endpoint, stop: () => Promise<void> = async () => undefined): RedisHandle {
  // Commands issued in the same tick (session saves, facts, engine replies) share one write.
  const redis = keep(target, { enableAutoPipelining: true });
  const extra: Redis[] = [];
  return {
    redis,
    duplicate(options) {
      const r = keep(target, options);
      extra.push(r);
      return r;
    },
    close: async () => {
      for (const r of [redis, ...extra]) r.disconnect();
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
  if (!target.privateFallback) {
    await retryAtStartup({ setting: 'REDIS_URL', url: target.url }, retry, () => probe(target.url));
    return handle(target.url);
  }
  if (await answers(target.url)) return handle(target.url);
  return privateRedis(target, retry);
}

/** Reuses the private redis-server a killed ACS left under `dataDir`, or starts one; without redis-server on PATH, fails with what to do. */
async function privateRedis(target: RedisTarget, { log }: StartupRetry): Promise<RedisHandle> {
  const dir = path.resolve(target.dataDir);
  const socket = path.join(dir, 'redis.sock');
  if (existsSync(socket) && (await answers({ path: socket }))) {
    log.info({ socket }, 'using the private redis-server left running');
    return handle({ path: socket });
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
  return handle({ path: socket }, stop);
}

async function waitForSocket(socket: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`private redis-server exited with code ${child.exitCode}`);
    if (existsSync(socket) && (await answers({ path: socket }))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('private redis-server did not start within 5 s');
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once the process is gone. */
function stopChild(child: ChildProcess): Promise<void> {
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
