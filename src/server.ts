import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/load';
import { createCwmpApp } from './cwmp/app';
import { Authenticator } from './cwmp/http/auth';
import type { SessionDeps } from './cwmp/session/context';
import { sweepExpired } from './cwmp/session/finalize';
import { RedisSessionStore } from './cwmp/session/redis-store';
import { openStore } from './db';
import type { DeviceStore } from './db/types';
import { connectRedis } from './infra/redis';
import type { Logger } from './log';
import { createNbiApp } from './nbi/app';

export type Role = 'cwmp' | 'nbi' | 'all';

export interface RunningAcs {
  cwmpPort: number | null;
  nbiPort: number | null;
  store: DeviceStore;
  deps: SessionDeps | null;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;

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

/** Starts the ACS processes' parts for `role`: storage, Redis, the CWMP and NBI servers and the session sweeper. */
export async function startAcs(config: Readonly<Config>, log: Logger, role: Role = 'all'): Promise<RunningAcs> {
  const store = await openStore(config.databaseUrl);
  await store.migrate();
  const servers: http.Server[] = [];
  const result: RunningAcs = { cwmpPort: null, nbiPort: null, store, deps: null, close: async () => undefined };
  let redisClose = async (): Promise<void> => undefined;
  let sweeper: NodeJS.Timeout | undefined;
  if (role === 'cwmp' || role === 'all') {
    const { redis, close } = await connectRedis(config.redisUrl, config.dataDir, log);
    redisClose = close;
    const secret = await sharedSecret({ redis, prefix: config.redisPrefix });
    const sessions = new RedisSessionStore(redis, config.redisPrefix, config.sessionTimeoutMs);
    const deps: SessionDeps = { config, store, sessions, auth: new Authenticator(config.cwmpAuthRealm, secret), log };
    const server = http.createServer(createCwmpApp(deps).callback());
    server.keepAliveTimeout = config.sessionTimeoutMs;
    servers.push(server);
    result.cwmpPort = await listen(server, config.cwmpPort, config.cwmpHost);
    result.deps = deps;
    sweeper = setInterval(() => void sweepExpired(deps).catch((err) => log.error({ err }, 'sweep failed')), SWEEP_INTERVAL_MS);
  }
  if (role === 'nbi' || role === 'all') {
    const server = http.createServer(createNbiApp(store, log).callback());
    servers.push(server);
    result.nbiPort = await listen(server, config.nbiPort, config.nbiHost);
  }
  log.info({ role, cwmpPort: result.cwmpPort, nbiPort: result.nbiPort }, 'acs started');
  result.close = async () => {
    clearInterval(sweeper);
    await Promise.all(servers.map(closeServer));
    await redisClose();
    await store.close();
  };
  return result;
}
