/**
 * Private Redis and MariaDB instances for tests that kill or restart them:
 * each on its own port and data folder (under the run's temporary folder),
 * never the shared services. Killed with SIGKILL, as a crash would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import Redis from 'ioredis';
import { sleep, until } from './wait';

export interface PrivateService {
  url: string;
  port: number;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (Redis: empty; MariaDB: with its data). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The first port of the kernel's ephemeral range (listen(0) and outgoing connections take theirs from it). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const PORTS_FROM = 10_000;
const PORTS_TO = ephemeralLow();

/** Whether a server can listen on 127.0.0.1:port now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port nothing listens on now, for a server a test starts a moment later (often in another process). It
 * is picked at random below the kernel's ephemeral range: a port of that range can be taken in the meantime by
 * any outgoing connection or listen(0) of the machine, and with test files running in parallel there are
 * thousands (a child's METRICS_PORT + 3 was taken that way).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PORTS_FROM + Math.floor(Math.random() * (PORTS_TO - PORTS_FROM));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORTS_FROM}-${PORTS_TO - 1} after 50 tries`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function killHard(child: ChildProcess | null): Promise<void> {
  if (!child) return;
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}

/** A redis-server that keeps nothing on disk: a restart starts it empty. */
export async function privateRedis(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-redis-'));
  let child: ChildProcess | null = null;
  const service: PrivateService = {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: async () => {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await until(`private redis on port ${port}`, () => pingRedis(port), 10_000);
    },
    kill: () => killHard(child),
    stop: async () => {
      await killHard(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}

/** Whether a redis-server answers PING on a local port. */
export async function pingRedis(port: number): Promise<boolean> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A mariadbd with its own data folder (root, empty password over TCP); a restart keeps the data. */
export async function privateMariadb(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-mariadb-'));
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--user=root', '--skip-test-db'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  let child: ChildProcess | null = null;
  const service: PrivateService = {
    url: `mysql://root@127.0.0.1:${port}`,
    port,
    start: async () => {
      const args = ['--no-defaults', `--datadir=${data}`, `--port=${port}`, `--socket=${path.join(dir, 'sock')}`, '--user=root', '--bind-address=127.0.0.1', '--skip-log-bin', '--innodb-buffer-pool-size=64M'];
      child = spawn('mariadbd', args, { stdio: 'ignore' });
      await until(`private mariadb on port ${port}`, () => pingMariadb(port), 30_000);
    },
    kill: () => killHard(child),
    stop: async () => {
      await killHard(child);
      await sleep(50);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}

async function pingMariadb(port: number): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}
