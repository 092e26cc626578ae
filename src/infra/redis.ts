import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from '../log';

export interface RedisHandle {
  redis: Redis;
  /** Another connection to the same Redis (subscribers and BullMQ's blocking clients need their own); closed by `close`. */
  duplicate(options?: RedisOptions): Redis;
  /** Closes the connection and stops the private redis-server, if one was started. */
  close(): Promise<void>;
}

async function tryConnect(options: string | { path: string }): Promise<Redis | null> {
  const redis =
    typeof options === 'string'
      ? new Redis(options, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
      : new Redis({ path: options.path, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return null;
  }
}

/** A connection that reconnects forever: the one the server keeps. */
function keep(options: string | { path: string }, extra: RedisOptions = {}): Redis {
  return typeof options === 'string' ? new Redis(options, extra) : new Redis({ path: options.path, ...extra });
}

/** The handle over one Redis target: the main connection and every duplicate, all closed together. */
function handle(target: string | { path: string }, stop: () => void = () => undefined): RedisHandle {
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
      stop();
    },
  };
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitForSocket(socket: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`private redis-server exited with code ${child.exitCode}`);
    const probe = existsSync(socket) ? await tryConnect({ path: socket }) : null;
    if (probe) return probe.disconnect();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('private redis-server did not start within 5 s');
}

function startPrivate(dataDir: string): { socket: string; child: ChildProcess } {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--dir', dir], { stdio: 'ignore' });
  return { socket, child };
}

/**
 * Connects to Redis at `url`. If nothing answers there, reuses or starts a
 * private redis-server on a unix socket under `dataDir` (zero-config start);
 * without redis-server on PATH, fails with one line saying what to do.
 */
export async function connectRedis(url: string, dataDir: string, log: Logger): Promise<RedisHandle> {
  const direct = await tryConnect(url);
  if (direct) {
    direct.disconnect();
    return handle(url);
  }
  const socket = path.join(path.resolve(dataDir), 'redis.sock');
  const leftOver = existsSync(socket) ? await tryConnect({ path: socket }) : null;
  if (leftOver) {
    leftOver.disconnect();
    log.info({ socket }, 'using the private redis-server left running');
    return handle({ path: socket });
  }
  if (!hasRedisServer()) {
    throw new Error(`no Redis at ${url}: set REDIS_URL, or install redis-server (e.g. apt-get install redis-server)`);
  }
  const started = startPrivate(dataDir);
  await waitForSocket(started.socket, started.child);
  log.info({ socket: started.socket }, `no Redis at ${url}: started a private redis-server`);
  return handle({ path: started.socket }, () => started.child.kill('SIGTERM'));
}
